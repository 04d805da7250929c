/*
 * host_plugin.h -- the stable C ABI between `host` and its activity modules.
 *
 * ABI 1.1. This header is the normative contract for modules written in C;
 * the Rust crate `plugin-api` (src/abi.rs) defines the same layout and the
 * test suite checks, field by field, that the two agree.
 *
 * A MODULE IN ONE PARAGRAPH
 *   A module is a shared library that exports one function,
 *   `host_module_entry`, returning a pointer to a static
 *   `host_module_descriptor`. The host checks the descriptor's frozen header
 *   (magic, ABI major, struct size), then its fields, and only then calls
 *   anything else. For each activity session the host calls `init`, then
 *   `run` once, then `destroy`. The module prints only through the
 *   `host_api` table it is handed, never with printf/puts/write: the host
 *   owns the terminal, buffers each frame and writes it in one go.
 *
 * THREADING
 *   The host calls every hook from its main thread, one at a time. The
 *   `host_api` functions may only be called from the thread that is running
 *   a hook, and only while that hook runs. A module may start threads of its
 *   own, but they must not call the host.
 *
 * OWNERSHIP
 *   - Strings in the descriptor and option specs: NUL-terminated UTF-8 with
 *     static storage duration, owned by the module, never freed.
 *   - Strings passed in a call (`host_str`, text/len pairs): valid only
 *     during that call; copy what you keep. Not NUL-terminated.
 *   - Buffers (`host_error_buf`, the progress-bar buffer): owned by whoever
 *     passes them in; the callee writes at most `capacity` bytes.
 *   - The module instance (`void *` from init): owned by the module, freed
 *     by its `destroy`.
 *   Nothing is freed by the side that did not allocate it.
 *
 * STABILITY AND GROWTH (the rule every author must follow)
 *   - `host_abi_header` is frozen forever, in every major version.
 *   - Both tables are append-only within a major version. A new field goes
 *     at the end, the minor version goes up, and `struct_size` grows.
 *   - A host accepts any module with the same major and a `struct_size` at
 *     least that of ABI x.0. It reads only the fields it knows.
 *   - A module must not call a `host_api` slot unless the table's
 *     `header.struct_size` covers the slot AND the pointer is non-NULL; use
 *     HOST_API_HAS(api, field). Every slot of ABI 1.0 is always present in
 *     a 1.x host, so 1.0 slots need no check; later slots (marked "ABI 1.1"
 *     and up below) do: an older host's table simply ends before them.
 *   - Likewise the host reads descriptor fields added after 1.0 only when
 *     the module's `struct_size` covers them.
 *   - Another major version is refused by the host with both versions named.
 *
 * FAILURE
 *   A crash in C code (or a Rust module built with panic = "abort") takes
 *   the whole host down: the host cannot catch it. Return HOST_STATUS_ERROR
 *   with a message instead. Modules are never unloaded once their code ran.
 *
 * Supported targets: 64-bit (LP64) platforms.
 */
#ifndef HOST_PLUGIN_H
#define HOST_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "HMOD" and "HAPI" read as little-endian 32-bit integers. */
#define HOST_MODULE_MAGIC 0x444F4D48u
#define HOST_API_MAGIC 0x49504148u
#define HOST_ABI_MAJOR 1
#define HOST_ABI_MINOR 1

/* The one symbol a module exports. */
#define HOST_MODULE_ENTRY_SYMBOL "host_module_entry"

/* Status returned by init and run. */
#define HOST_STATUS_OK 0
#define HOST_STATUS_ERROR 1

/* Option kinds (host_option_spec.kind). */
#define HOST_OPTION_STRING 0u /* any UTF-8 text */
#define HOST_OPTION_INT 1u    /* decimal integer in min..=max */
#define HOST_OPTION_BOOL 2u   /* "true" or "false" */
#define HOST_OPTION_CHOICE 3u /* one of the '|'-separated words in choices */

/* Log levels (host_api.log). */
#define HOST_LOG_ERROR 0u
#define HOST_LOG_WARN 1u
#define HOST_LOG_INFO 2u
#define HOST_LOG_DEBUG 3u

/* Styles (host_api.print_styled): a colour in bits 0..7, attributes above. */
#define HOST_COLOR_DEFAULT 0u
#define HOST_COLOR_BLACK 1u
#define HOST_COLOR_RED 2u
#define HOST_COLOR_GREEN 3u
#define HOST_COLOR_YELLOW 4u
#define HOST_COLOR_BLUE 5u
#define HOST_COLOR_MAGENTA 6u
#define HOST_COLOR_CYAN 7u
#define HOST_COLOR_WHITE 8u
#define HOST_COLOR_BRIGHT(c) ((c) + 8u) /* e.g. HOST_COLOR_BRIGHT(HOST_COLOR_RED) */
#define HOST_STYLE_BOLD (1u << 8)
#define HOST_STYLE_DIM (1u << 9)
#define HOST_STYLE_ITALIC (1u << 10)
#define HOST_STYLE_UNDERLINE (1u << 11)

/*
 * The frozen header at the start of both tables. 16 bytes, no padding, the
 * same in every ABI major version.
 */
typedef struct host_abi_header {
    uint32_t magic;       /* HOST_MODULE_MAGIC or HOST_API_MAGIC */
    uint16_t abi_major;   /* HOST_ABI_MAJOR the table was built for */
    uint16_t abi_minor;   /* HOST_ABI_MINOR the table was built for */
    uint32_t struct_size; /* sizeof the whole table as its builder knew it */
    uint32_t reserved;    /* must be 0 */
} host_abi_header;

/* Opaque host context: pass it back unchanged as the first argument. */
typedef struct host_ctx host_ctx;

/* A borrowed UTF-8 string: pointer and length, no NUL terminator. */
typedef struct host_str {
    const char *ptr; /* valid for the duration of the call only */
    size_t len;      /* in bytes */
} host_str;

/*
 * Host-owned buffer for a failing hook's reason. Write at most `capacity`
 * UTF-8 bytes to `data` and store the count in `len` (the host sets it to 0
 * before each call). Valid during the call only.
 */
typedef struct host_error_buf {
    char *data;
    size_t capacity;
    size_t len;
} host_error_buf;

/*
 * One option declaration (`host --set module.name=value`). The host checks
 * user values against `kind` before any module code runs, and passes every
 * declared option to init (the user's value or the default).
 */
typedef struct host_option_spec {
    const char *name;          /* [a-z0-9_-]+; static, NUL-terminated */
    const char *help;          /* one line; static, NUL-terminated */
    const char *default_value; /* must itself be valid; static */
    uint32_t kind;             /* HOST_OPTION_* */
    uint32_t reserved;         /* must be 0 */
    const char *choices;       /* HOST_OPTION_CHOICE: "a|b|c"; else NULL */
    int64_t min;               /* HOST_OPTION_INT: smallest value */
    int64_t max;               /* HOST_OPTION_INT: largest value */
} host_option_spec;

/* One resolved option value, as passed to init. Valid during init only. */
typedef struct host_option_value {
    host_str name;
    host_str value;
} host_option_value;

/*
 * The host's services, handed to init and run. Every function takes the
 * context first, may only be called on the hook's thread during the hook,
 * and never fails in a way the module must handle (output problems become a
 * stop request: see should_exit).
 *
 * Before calling a slot added after ABI 1.0, check HOST_API_HAS(api, slot).
 */
typedef struct host_api {
    host_abi_header header;

    /* --- ABI 1.0 --- */

    /* Append `len` bytes of UTF-8 text to the current line. `text` need not
     * be NUL-terminated. Use newline() to end lines. */
    void (*print)(host_ctx *ctx, const char *text, size_t len);

    /* Same, styled with HOST_COLOR_* | HOST_STYLE_*. When colour is off
     * (not a terminal, NO_COLOR, --color never) the text is printed plain. */
    void (*print_styled)(host_ctx *ctx, const char *text, size_t len, uint32_t style);

    /* End the current line. */
    void (*newline)(host_ctx *ctx);

    /* Move the cursor up n lines, for in-place redraws. No-op when output is
     * not a terminal. */
    void (*cursor_up)(host_ctx *ctx, uint32_t n);

    /* Erase the current line and return to its first column. When output is
     * not a terminal there is nothing to erase: the host ends the line
     * instead, so redraws are appended and the file stays readable. */
    void (*erase_line)(host_ctx *ctx);

    /* Send everything printed so far to the terminal, in one write. */
    void (*flush)(host_ctx *ctx);

    /* Flush, then sleep `ms` milliseconds of *simulated* time: the host waits
     * ms / speed-factor real milliseconds, less when it must stop. Returns
     * true when the module must stop: return from run promptly (within
     * 100 ms). Every loop in a module must go through sleep_ms or
     * should_exit. A sleep of 0 ms (or one skipped by --instant-print-lines)
     * only checks for a stop: no time passes on screen, so the output waits
     * for the next real sleep and reaches the terminal in the same write. */
    bool (*sleep_ms)(host_ctx *ctx, uint64_t ms);

    /* The module's simulated clock: milliseconds since this session's init,
     * advanced by exactly the sum of sleep_ms requests. Print durations from
     * it so they agree with each other at any speed factor. */
    uint64_t (*clock_ms)(host_ctx *ctx);

    /* Terminal size in columns and rows (80 x 24 when unknown, or $COLUMNS /
     * $LINES when output is not a terminal). Never print a line wider than
     * term_width: a wrapped line breaks in-place redraws. */
    uint32_t (*term_width)(host_ctx *ctx);
    uint32_t (*term_height)(host_ctx *ctx);

    /* Whether output goes to a terminal (in-place redraws are shown). */
    bool (*is_terminal)(host_ctx *ctx);

    /* Render a progress bar `width` cells wide, filled to `fraction`
     * (clamped to 0..1), as UTF-8 into the caller-owned `buf`. Returns the
     * number of bytes the whole bar needs (at most 3 per cell); if that is
     * more than `capacity`, nothing is written. Not NUL-terminated. */
    size_t (*progress_bar)(host_ctx *ctx, double fraction, uint32_t width, char *buf, size_t capacity);

    /* A diagnostic for the user (not activity output), shown on stderr when
     * `level` (HOST_LOG_*) passes the host's --log-level. */
    void (*log)(host_ctx *ctx, uint32_t level, const char *text, size_t len);

    /* True once the host wants the module to stop: Ctrl-C, SIGTERM,
     * --exit-after-time, or output that went away. */
    bool (*should_exit)(host_ctx *ctx);

    /* --- ABI 1.1: check HOST_API_HAS(api, color_enabled) before calling --- */

    /* Whether styled text is shown in colour. When it is not, a module that
     * signals state by colour alone (a health grid) should add a textual
     * marker. */
    bool (*color_enabled)(host_ctx *ctx);

    /* --- later minor versions append here --- */
} host_api;

/* Whether `api` provides `field` (covered by its size and non-NULL). */
#define HOST_API_HAS(api, field)                                                                   \
    ((api)->header.struct_size >= offsetof(host_api, field) + sizeof((api)->field) &&              \
     (api)->field != NULL)

/*
 * init: prepare one session.
 *   api, ctx      the host's services; valid during this call only.
 *   seed          drives every random choice: the same seed must give the
 *                 same output.
 *   options       `option_count` values, one per declared option.
 *   out_instance  store the session's state here (may be NULL if none).
 *   err           on failure, the reason (e.g. a bad option combination).
 * Returns HOST_STATUS_OK, or HOST_STATUS_ERROR to refuse (then destroy is
 * not called). Must not print.
 */
typedef int32_t (*host_init_fn)(const host_api *api, host_ctx *ctx, uint64_t seed,
                                const host_option_value *options, size_t option_count,
                                void **out_instance, host_error_buf *err);

/*
 * run: play one session (a few minutes at speed factor 1) and return, or
 * return early as soon as sleep_ms/should_exit say so (that is a normal
 * end: return HOST_STATUS_OK). HOST_STATUS_ERROR plus a message in `err`
 * reports a failure. `api` and `ctx` are valid during this call only.
 */
typedef int32_t (*host_run_fn)(void *instance, const host_api *api, host_ctx *ctx,
                               host_error_buf *err);

/* destroy: free what init allocated. Called once after run (also when run
 * failed), with the instance init stored (possibly NULL). Must not print. */
typedef void (*host_destroy_fn)(void *instance);

/*
 * The module's self-description. Static, immutable, lives as long as the
 * library (forever: the host never unloads a module whose code has run).
 */
typedef struct host_module_descriptor {
    host_abi_header header; /* HOST_MODULE_DESCRIPTOR_HEADER */

    /* --- ABI 1.0 --- */
    const char *name;        /* required; unique id, [a-z0-9_]{1,64} */
    const char *version;     /* required; the module's own version */
    const char *description; /* required; one line for `host --list` */
    const char *signature;   /* required; the command it pretends to run */
    const host_option_spec *options; /* option_count specs; NULL if none */
    size_t option_count;
    host_init_fn init;       /* required */
    host_run_fn run;         /* required */
    host_destroy_fn destroy; /* optional (NULL: nothing to free) */

    /* --- ABI 1.1: a 1.0 host never reads these --- */
    const char *author; /* optional (NULL); shown by `host --check` */

    /* --- later minor versions append here --- */
} host_module_descriptor;

/* The header a module built against this file puts in its descriptor. */
#define HOST_MODULE_DESCRIPTOR_HEADER                                                              \
    { HOST_MODULE_MAGIC, HOST_ABI_MAJOR, HOST_ABI_MINOR,                                           \
      (uint32_t)sizeof(host_module_descriptor), 0 }

/* Visibility for the entry symbol. */
#if defined(_WIN32)
#define HOST_EXPORT __declspec(dllexport)
#else
#define HOST_EXPORT __attribute__((visibility("default")))
#endif

/*
 * The one exported function. Pure: no allocation, no I/O, no output; it
 * only returns the address of the module's static descriptor.
 *
 *   HOST_EXPORT const host_module_descriptor *host_module_entry(void) {
 *       return &descriptor;
 *   }
 */
HOST_EXPORT const host_module_descriptor *host_module_entry(void);

/* Layout pins: the same numbers are asserted in plugin-api/src/abi.rs. */
#ifndef __cplusplus
_Static_assert(sizeof(void *) == 8, "host ABI 1 is defined for 64-bit targets");
_Static_assert(sizeof(host_abi_header) == 16, "frozen header");
_Static_assert(sizeof(host_str) == 16, "host_str");
_Static_assert(sizeof(host_error_buf) == 24, "host_error_buf");
_Static_assert(sizeof(host_option_value) == 32, "host_option_value");
_Static_assert(sizeof(host_option_spec) == 56, "host_option_spec");
_Static_assert(offsetof(host_option_spec, choices) == 32, "host_option_spec.choices");
_Static_assert(offsetof(host_module_descriptor, name) == 16, "descriptor.name");
_Static_assert(offsetof(host_module_descriptor, options) == 48, "descriptor.options");
_Static_assert(offsetof(host_module_descriptor, init) == 64, "descriptor.init");
_Static_assert(offsetof(host_module_descriptor, destroy) == 80, "descriptor.destroy");
_Static_assert(offsetof(host_module_descriptor, author) == 88, "descriptor.author, ABI 1.1");
_Static_assert(sizeof(host_module_descriptor) == 96, "descriptor size, ABI 1.1");
_Static_assert(offsetof(host_api, print) == 16, "host_api.print");
_Static_assert(offsetof(host_api, sleep_ms) == 64, "host_api.sleep_ms");
_Static_assert(offsetof(host_api, progress_bar) == 104, "host_api.progress_bar");
_Static_assert(offsetof(host_api, should_exit) == 120, "host_api.should_exit");
_Static_assert(offsetof(host_api, color_enabled) == 128, "host_api.color_enabled, ABI 1.1");
_Static_assert(sizeof(host_api) == 136, "host_api size, ABI 1.1");
#endif

#ifdef __cplusplus
}
#endif

#endif /* HOST_PLUGIN_H */
