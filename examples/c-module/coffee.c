/*
 * coffee_c: a pour-over brewed by a pretend smart kettle, written in C
 * against host_plugin.h. It grinds, heats the water, blooms the grounds,
 * pours in pulses, waits for the drawdown and tastes the result.
 *
 * The C twin of examples/rust-module: for the same seed both print the
 * very same session, line for line. The authoring guide quotes this file
 * whole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_plugin.h"

/* The coffees on the shelf: the same list, in the same order, as
 * examples/rust-module/data/beans.txt. */
typedef struct bean {
    const char *origin, *process, *roast, *notes;
} bean;

static const bean BEANS[] = {
    {"Ethiopia Yirgacheffe Kochere", "washed", "light", "jasmine, bergamot, lemon curd"},
    {"Ethiopia Guji Hambela", "natural", "light", "blueberry, strawberry jam, cacao nib"},
    {"Kenya Nyeri Gatomboya AA", "washed", "light", "blackcurrant, grapefruit, brown sugar"},
    {"Kenya Kirinyaga Karimikui", "washed", "light", "tomato vine, cassis, honey"},
    {"Rwanda Nyamasheke Gitesi", "washed", "light", "red apple, black tea, orange zest"},
    {"Burundi Kayanza Mpemba", "washed", "medium", "cranberry, molasses, rooibos"},
    {"Colombia Huila La Plata", "washed", "medium", "red apple, caramel, cocoa"},
    {"Colombia Nariño Buesaco", "honey", "medium", "panela, tangerine, almond"},
    {"Colombia Cauca Inzá", "washed", "medium", "stone fruit, milk chocolate, hazelnut"},
    {"Peru Cajamarca San Ignacio", "washed", "medium", "toffee, green apple, walnut"},
    {"Bolivia Caranavi Takesi", "washed", "light", "peach, lime, vanilla"},
    {"Brazil Cerrado Mineiro", "natural", "dark", "peanut butter, dark chocolate, cherry"},
    {"Brazil Sul de Minas Serra Negra", "pulped natural", "medium", "hazelnut, fudge, dried fig"},
    {"Guatemala Huehuetenango La Libertad", "washed", "medium",
     "milk chocolate, plum, orange blossom"},
    {"Guatemala Antigua San Sebastián", "washed", "dark", "cocoa, clove, toasted almond"},
    {"El Salvador Santa Ana Los Naranjos", "honey", "medium", "brown sugar, apricot, cream"},
    {"Honduras Santa Bárbara El Cielito", "washed", "light", "mandarin, honeysuckle, caramel"},
    {"Costa Rica Tarrazú La Pastora", "honey", "medium", "honeydew, raw sugar, lemon"},
    {"Costa Rica West Valley Las Lajas", "black honey", "light", "raisin, cherry cola, cinnamon"},
    {"Panama Boquete Geisha", "washed", "light", "jasmine, peach tea, bergamot"},
    {"Sumatra Aceh Gayo", "wet-hulled", "dark", "cedar, dark chocolate, tobacco"},
    {"Java Ijen Blawan", "washed", "dark", "molasses, clove, earth"},
    {"Yemen Haraz Mocha", "natural", "medium", "dried apricot, cardamom, red wine"},
    {"Mexico Chiapas Finca Muxbal", "washed", "medium", "milk chocolate, orange, pecan"},
    {"Office Drip Blend No. 7", "mystery", "dark", "burnt toast, cardboard, quiet resignation"},
};
#define BEAN_COUNT (sizeof BEANS / sizeof BEANS[0])

#define LABEL (HOST_COLOR_CYAN | HOST_STYLE_BOLD)
#define DONE (HOST_COLOR_GREEN | HOST_STYLE_BOLD)
#define PLAIN 0u

/* One brewing session, decided entirely by init from the seed and options. */
typedef struct brew {
    uint64_t rng;
    uint64_t cups;
    const bean *bean;
    uint64_t dose_dg;  /* ground coffee in decigrams */
    uint64_t ratio10;  /* water per gram of coffee, times ten */
    uint64_t water_ml;
    uint64_t celsius;
    uint64_t pours;
} brew;

/* SplitMix64, the same generator as the Rust twin's. */
static uint64_t below(brew *b, uint64_t n) {
    uint64_t z = (b->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) % n;
}

/* Terminal cells of UTF-8 text: one per code point, which holds for the
 * text this module prints (no wide or combining characters). */
static size_t cells(const char *text) {
    size_t n = 0;
    for (; *text; text++) {
        n += ((unsigned char)*text & 0xC0) != 0x80;
    }
    return n;
}

/* Prints `text` cut to the `*room` cells left on the line (a cut ends in
 * an ellipsis) and takes what it used from `*room`. */
static void put(const host_api *api, host_ctx *ctx, const char *text, uint32_t style, size_t *room) {
    size_t len = strlen(text), n = cells(text);
    if (n <= *room) {
        api->print_styled(ctx, text, len, style);
        *room -= n;
        return;
    }
    if (*room == 0) {
        return;
    }
    char cut[512];
    size_t keep = 0;
    for (n = 0; n + 1 < *room && keep < sizeof cut - 4; n++) {
        do {
            keep++;
        } while (((unsigned char)text[keep] & 0xC0) == 0x80);
    }
    memcpy(cut, text, keep);
    memcpy(cut + keep, "\xE2\x80\xA6", 3); /* U+2026 HORIZONTAL ELLIPSIS */
    api->print_styled(ctx, cut, keep + 3, style);
    *room = 0;
}

/* One line, never wider than the terminal: an 11-cell label, a progress bar
 * when there is room for one (fraction < 0: no bar), and a status cut to
 * what is left. The line is not ended, so that progress() can redraw it. */
static void show(const host_api *api, host_ctx *ctx, const char *label, uint32_t label_style,
                 double fraction, const char *status, uint32_t style) {
    /* Stay off the last column: some terminals wrap as soon as it is written. */
    size_t width = api->term_width(ctx);
    size_t room = width > 0 ? width - 1 : 0;
    char padded[64];
    snprintf(padded, sizeof padded, "%-11s", label);
    put(api, ctx, padded, label_style, &room);
    if (fraction >= 0) {
        size_t need = cells(status) + 2;
        size_t bar = room > need ? room - need : 0;
        if (bar > 24) {
            bar = 24;
        }
        if (bar >= 6) {
            char buf[24 * 3];
            size_t len = api->progress_bar(ctx, fraction, (uint32_t)bar, buf, sizeof buf);
            if (len <= sizeof buf) {
                api->print(ctx, buf, len);
            }
            api->print(ctx, "  ", 2);
            room -= bar + 2;
        }
    }
    put(api, ctx, status, style, &room);
}

/* Redraws a phase's line in place, and ends it when the phase is done. In a
 * file every redraw would become a line of its own, so there only the
 * finished state is printed. */
static void progress(const host_api *api, host_ctx *ctx, const char *label, uint64_t done,
                     uint64_t total, const char *status) {
    if (api->is_terminal(ctx) || done == total) {
        api->erase_line(ctx);
        show(api, ctx, label, LABEL, (double)done / (double)total, status, PLAIN);
    }
    if (done == total) {
        api->newline(ctx);
    }
}

static const char *cups(uint64_t n, char *buf, size_t size) {
    snprintf(buf, size, n == 1 ? "%llu cup" : "%llu cups", (unsigned long long)n);
    return buf;
}

/* Prints 305 as "30.5". */
#define TENTHS(n) (unsigned long long)((n) / 10), (unsigned long long)((n) % 10)
#define U(n) ((unsigned long long)(n))

/* Each phase returns true when the host asked to stop. */

static bool introduce(brew *b, const host_api *api, host_ctx *ctx) {
    char line[256], n[16];
    snprintf(line, sizeof line, "%s of %s", cups(b->cups, n, sizeof n), b->bean->origin);
    show(api, ctx, "Brewing", LABEL, -1, line, PLAIN);
    api->newline(ctx);
    snprintf(line, sizeof line, "%s, %s roast: %s", b->bean->process, b->bean->roast,
             b->bean->notes);
    show(api, ctx, "Beans", LABEL, -1, line, PLAIN);
    api->newline(ctx);
    snprintf(line, sizeof line, "%llu.%llu g coffee, %llu ml water (1:%llu.%llu) at %llu °C, %llu pours",
             TENTHS(b->dose_dg), U(b->water_ml), TENTHS(b->ratio10), U(b->celsius), U(b->pours));
    show(api, ctx, "Recipe", LABEL, -1, line, PLAIN);
    api->newline(ctx);
    return api->sleep_ms(ctx, 800);
}

static bool grind(brew *b, const host_api *api, host_ctx *ctx) {
    const uint64_t steps = 12;
    for (uint64_t step = 1; step <= steps; step++) {
        if (api->sleep_ms(ctx, 250 + below(b, 250))) {
            return true;
        }
        char status[64];
        snprintf(status, sizeof status, "%llu.%llu / %llu.%llu g", TENTHS(b->dose_dg * step / steps),
                 TENTHS(b->dose_dg));
        progress(api, ctx, "Grinding", step, steps, status);
    }
    return false;
}

static bool heat(brew *b, const host_api *api, host_ctx *ctx) {
    uint64_t start = 18 + below(b, 6), now = start;
    while (now < b->celsius) {
        if (api->sleep_ms(ctx, 600 + below(b, 500))) {
            return true;
        }
        now += 2 + below(b, 4);
        if (now > b->celsius) {
            now = b->celsius;
        }
        char status[64];
        snprintf(status, sizeof status, "%llu / %llu °C", U(now), U(b->celsius));
        progress(api, ctx, "Heating", now - start, b->celsius - start, status);
    }
    return false;
}

/* A first splash of twice the coffee's weight in water lets the grounds
 * degas before the real pours. */
static bool bloom(brew *b, const host_api *api, host_ctx *ctx) {
    uint64_t ml = b->dose_dg / 5, seconds = 30 + below(b, 16);
    for (uint64_t s = 1; s <= seconds; s++) {
        if (api->sleep_ms(ctx, 1000)) {
            return true;
        }
        char status[64];
        snprintf(status, sizeof status, "%llu ml, %llu / %llu s", U(ml), U(s), U(seconds));
        progress(api, ctx, "Blooming", s, seconds, status);
    }
    return false;
}

static bool pour(brew *b, const host_api *api, host_ctx *ctx) {
    const uint64_t steps = 6;
    uint64_t bloom = b->dose_dg / 5, rest = b->water_ml - bloom;
    for (uint64_t pour = 1; pour <= b->pours; pour++) {
        uint64_t from = bloom + rest * (pour - 1) / b->pours;
        uint64_t to = bloom + rest * pour / b->pours;
        for (uint64_t step = 1; step <= steps; step++) {
            if (api->sleep_ms(ctx, 300 + below(b, 300))) {
                return true;
            }
            uint64_t poured = from + (to - from) * step / steps;
            char status[64];
            snprintf(status, sizeof status, "%llu / %llu ml, pour %llu/%llu", U(poured),
                     U(b->water_ml), U(pour), U(b->pours));
            progress(api, ctx, "Pouring", poured, b->water_ml, status);
        }
        if (pour < b->pours) {
            for (uint64_t wait = 10 + below(b, 11); wait > 0; wait--) {
                if (api->sleep_ms(ctx, 1000)) {
                    return true;
                }
            }
        }
    }
    return false;
}

static bool drain(brew *b, const host_api *api, host_ctx *ctx) {
    uint64_t seconds = 25 + below(b, 26);
    for (uint64_t s = 1; s <= seconds; s++) {
        if (api->sleep_ms(ctx, 1000)) {
            return true;
        }
        char status[64];
        snprintf(status, sizeof status, "%llu / %llu s", U(s), U(seconds));
        progress(api, ctx, "Drawdown", s, seconds, status);
    }
    return false;
}

static bool serve(brew *b, const host_api *api, host_ctx *ctx) {
    /* Times come from the host's simulated clock, never the wall clock:
     * they stay right at any --speed-factor. */
    uint64_t took = api->clock_ms(ctx) / 1000;
    char line[256], n[16];
    snprintf(line, sizeof line, "%s of %s in %llu:%02llu", cups(b->cups, n, sizeof n),
             b->bean->origin, U(took / 60), U(took % 60));
    show(api, ctx, "Done", DONE, -1, line, PLAIN);
    api->newline(ctx);
    if (api->sleep_ms(ctx, 600)) {
        return true;
    }

    uint64_t extraction = 170 + below(b, 60);
    uint32_t style = HOST_COLOR_GREEN;
    const char *verdict = "ideal";
    if (extraction < 180) {
        style = HOST_COLOR_YELLOW;
        verdict = "under";
    } else if (extraction > 220) {
        style = HOST_COLOR_RED;
        verdict = "over";
    }
    /* The colour alone tells whether the cup is right. Without colour (a
     * file, NO_COLOR, or a host too old to say) tell it in words too.
     * color_enabled arrived in ABI 1.1: call it only if the host has it. */
    bool colour = HOST_API_HAS(api, color_enabled) && api->color_enabled(ctx);
    char status[64];
    int len = snprintf(status, sizeof status, "%llu.%llu %%", TENTHS(extraction));
    if (!colour) {
        snprintf(status + len, sizeof status - (size_t)len, " (%s)", verdict);
    }
    show(api, ctx, "Extraction", LABEL, -1, status, style);
    api->newline(ctx);
    return api->sleep_ms(ctx, 2000);
}

static void fail(host_error_buf *err, const char *why) {
    size_t n = strlen(why);
    if (n > err->capacity) {
        n = err->capacity;
    }
    memcpy(err->data, why, n);
    err->len = n;
}

static int32_t coffee_init(const host_api *api, host_ctx *ctx, uint64_t seed,
                           const host_option_value *options, size_t option_count,
                           void **out_instance, host_error_buf *err) {
    (void)api;
    (void)ctx;
    brew *b = calloc(1, sizeof *b);
    if (b == NULL) {
        fail(err, "out of memory");
        return HOST_STATUS_ERROR;
    }
    b->cups = 2;
    /* The host passes every declared option, already checked against its
     * kind and range; the strings are not NUL-terminated. */
    for (size_t i = 0; i < option_count; i++) {
        if (options[i].name.len == 4 && memcmp(options[i].name.ptr, "cups", 4) == 0) {
            char value[24] = {0};
            memcpy(value, options[i].value.ptr,
                   options[i].value.len < sizeof value - 1 ? options[i].value.len : sizeof value - 1);
            b->cups = strtoull(value, NULL, 10);
        }
    }
    b->rng = seed;
    b->bean = &BEANS[below(b, BEAN_COUNT)];
    b->dose_dg = b->cups * (140 + below(b, 21));
    b->ratio10 = 160 + below(b, 11);
    b->water_ml = b->dose_dg * b->ratio10 / 100;
    b->celsius = strcmp(b->bean->roast, "light") == 0    ? 96
                 : strcmp(b->bean->roast, "medium") == 0 ? 93
                                                         : 90;
    b->pours = 3 + below(b, 3);
    *out_instance = b;
    return HOST_STATUS_OK;
}

static int32_t coffee_run(void *instance, const host_api *api, host_ctx *ctx, host_error_buf *err) {
    brew *b = instance;
    (void)err;
    /* || skips the remaining phases once one reports a stop request.
     * Stopping early is a normal end, not an error. */
    (void)(introduce(b, api, ctx) || grind(b, api, ctx) || heat(b, api, ctx) ||
           bloom(b, api, ctx) || pour(b, api, ctx) || drain(b, api, ctx) || serve(b, api, ctx));
    return HOST_STATUS_OK;
}

static void coffee_destroy(void *instance) { free(instance); }

static const host_option_spec OPTIONS[] = {
    {"cups", "how many cups to brew", "2", HOST_OPTION_INT, 0, NULL, 1, 8},
};

static const host_module_descriptor DESCRIPTOR = {
    HOST_MODULE_DESCRIPTOR_HEADER,
    "coffee_c",
    "0.1.0",
    "A pour-over from a smart kettle, in C: grind, heat, bloom, pour, drawdown",
    "coffeectl brew --method pour-over",
    OPTIONS,
    sizeof OPTIONS / sizeof OPTIONS[0],
    coffee_init,
    coffee_run,
    coffee_destroy,
    "The host authors <host@example.org>", /* author: ABI 1.1 */
};

HOST_EXPORT const host_module_descriptor *host_module_entry(void) { return &DESCRIPTOR; }
