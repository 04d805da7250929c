//! `db_migration`: schema migrations applied by a real tool's runner, in
//! the style of Rails, Flyway, Django or Laravel (by seed or option).
//!
//! A run is planned as migrations made of timed steps (most take
//! milliseconds; an index build or a backfill on a big table takes
//! seconds). The runner sleeps exactly those times, so each printed step
//! time, each migration total and the run's final total agree with each
//! other and with the simulated clock.

use std::time::Duration;

use plugin_api::kit::{self, SimDate};
use plugin_api::{Color, Host, Module, Options, RunResult, Style};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng, rngs::StdRng};

const TABLES: &str = include_str!("../data/tables.txt");
const COLUMNS: &str = include_str!("../data/columns.txt");
const SERVICES: &str = include_str!("../data/services.txt");

/// The brief allows five minutes per session; stay a little under it.
const HARD_CAP: Duration = Duration::from_secs(280);

const BOLD: Style = Style::plain().bold();
const PLAIN: Style = Style::plain();

/// Which migration runner the session imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Rails,
    Flyway,
    Django,
    Laravel,
}

#[derive(Debug, Clone, Copy)]
struct Table {
    name: &'static str,
    app: &'static str,
    large: bool,
}

#[derive(Debug, Clone, Copy)]
struct Column {
    name: &'static str,
    rails: &'static str,
    /// Django apps whose tables plausibly have it; `any` for all.
    apps: &'static str,
}

impl Column {
    fn fits(&self, table: &Table) -> bool {
        self.apps == "any" || self.apps.split(',').any(|a| a == table.app)
    }
}

/// What one migration does to the schema.
#[derive(Debug, Clone)]
enum Change {
    CreateTable {
        table: String,
        parent: Option<Table>,
    },
    AddColumn {
        table: Table,
        column: Column,
    },
    AddIndex {
        table: Table,
        columns: Vec<&'static str>,
        unique: bool,
    },
    RemoveColumn {
        table: Table,
        column: Column,
    },
    RenameColumn {
        table: Table,
        from: &'static str,
        to: &'static str,
    },
    AddReference {
        table: Table,
        other: Table,
    },
    NotNull {
        table: Table,
        column: Column,
    },
    Backfill {
        table: Table,
        column: Column,
    },
}

/// One timed operation inside a migration (Rails prints each).
#[derive(Debug, Clone)]
struct Step {
    text: String,
    micros: u64,
}

/// A migration ready to run.
#[derive(Debug, Clone)]
struct Migration {
    /// Rails/Laravel timestamp, Flyway version, or Django number.
    version: String,
    /// `CreateInvoices`, `create invoices`, `invoice_due_date`...
    name: String,
    app: &'static str,
    steps: Vec<Step>,
    /// Runner bookkeeping around the steps (schema_migrations insert...).
    overhead_micros: u64,
}

impl Migration {
    /// What the runner measures for the whole migration.
    fn total_micros(&self) -> u64 {
        self.steps.iter().map(|s| s.micros).sum::<u64>() + self.overhead_micros
    }
}

fn parse_tables() -> Vec<Table> {
    kit::data_lines(TABLES)
        .into_iter()
        .filter_map(|l| {
            let f: Vec<&'static str> = l.split('|').collect();
            Some(Table {
                name: f.first()?,
                app: f.get(1)?,
                large: *f.get(2)? == "large",
            })
        })
        .collect()
}

fn parse_columns() -> Vec<Column> {
    kit::data_lines(COLUMNS)
        .into_iter()
        .filter_map(|l| {
            let f: Vec<&'static str> = l.split('|').collect();
            Some(Column {
                name: f.first()?,
                rails: f.get(1)?,
                apps: f.get(3)?,
            })
        })
        .collect()
}

/// `order_items` → `order_item`, `categories` → `category`.
fn singular(table: &str) -> String {
    if let Some(stem) = table.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = table.strip_suffix("sses") {
        format!("{stem}ss")
    } else if let Some(stem) = table.strip_suffix('s') {
        stem.to_owned()
    } else {
        table.to_owned()
    }
}

/// `add_status_to_orders` → `AddStatusToOrders`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

/// A micro-second duration in `[lo, hi)` milliseconds.
fn us(rng: &mut StdRng, lo_ms: f64, hi_ms: f64) -> u64 {
    (rng.random_range(lo_ms..hi_ms) * 1000.0) as u64
}

/// Invent a plausible schema change.
fn random_change(rng: &mut StdRng, tables: &[Table], columns: &[Column]) -> Change {
    let table = *tables.choose(rng).unwrap_or(&tables[0]);
    let fitting: Vec<Column> = columns.iter().copied().filter(|c| c.fits(&table)).collect();
    let column = *fitting.choose(rng).unwrap_or(&columns[0]);
    // References stay within a part of the domain (orders -> carts).
    let related: Vec<Table> = tables
        .iter()
        .copied()
        .filter(|t| t.app == table.app && t.name != table.name)
        .collect();
    let other = *related.choose(rng).unwrap_or(&table);
    match rng.random_range(0..100) {
        0..=14 => {
            let base = *[
                "report_exports",
                "saved_searches",
                "payout_batches",
                "login_attempts",
                "device_tokens",
                "price_overrides",
                "import_jobs",
                "usage_records",
                "support_tickets",
                "shipping_zones",
            ]
            .choose(rng)
            .unwrap_or(&"import_jobs");
            Change::CreateTable {
                table: base.to_owned(),
                parent: Some(table),
            }
        }
        15..=39 => Change::AddColumn { table, column },
        40..=54 => {
            let mut cols = vec![column.name];
            if rng.random_bool(0.35) {
                cols.push("created_at");
            }
            Change::AddIndex {
                table,
                columns: cols,
                unique: rng.random_bool(0.15),
            }
        }
        55..=62 => Change::RemoveColumn { table, column },
        63..=68 => {
            let (from, to) = *[
                ("name", "full_name"),
                ("body", "content"),
                ("kind", "category"),
                ("amount", "amount_cents"),
                ("type", "kind"),
                ("data", "payload"),
            ]
            .choose(rng)
            .unwrap_or(&("name", "full_name"));
            Change::RenameColumn { table, from, to }
        }
        69..=80 if other.name != table.name => Change::AddReference { table, other },
        69..=80 => Change::AddColumn { table, column },
        81..=90 => Change::NotNull { table, column },
        _ => Change::Backfill { table, column },
    }
}

/// The snake-case name of a change, as its file would be called.
fn change_name(change: &Change) -> String {
    match change {
        Change::CreateTable { table, .. } => format!("create_{table}"),
        Change::AddColumn { table, column } => format!("add_{}_to_{}", column.name, table.name),
        Change::AddIndex { table, columns, .. } => {
            format!("add_index_to_{}_on_{}", table.name, columns.join("_and_"))
        }
        Change::RemoveColumn { table, column } => {
            format!("remove_{}_from_{}", column.name, table.name)
        }
        Change::RenameColumn { table, from, to } => {
            format!("rename_{from}_to_{to}_on_{}", table.name)
        }
        Change::AddReference { table, other } => {
            format!("add_{}_ref_to_{}", singular(other.name), table.name)
        }
        Change::NotNull { table, column } => {
            format!("change_{}_null_on_{}", column.name, table.name)
        }
        Change::Backfill { table, column } => format!("backfill_{}_on_{}", column.name, table.name),
    }
}

/// The timed operations of a change, written as Rails's migration log
/// shows them, with realistic durations (big tables are slow).
fn rails_steps(rng: &mut StdRng, change: &Change) -> Vec<Step> {
    let step = |text: String, micros: u64| Step { text, micros };
    match change {
        Change::CreateTable { table, parent, .. } => {
            let mut steps = vec![step(format!("create_table(:{table})"), us(rng, 3.0, 40.0))];
            if let Some(parent) = parent {
                let fk = singular(parent.name);
                steps.push(step(
                    format!("add_reference(:{table}, :{fk}, {{:null=>false, :foreign_key=>true}})"),
                    us(rng, 4.0, 30.0),
                ));
            }
            steps
        }
        Change::AddColumn { table, column } => {
            let options = match column.rails {
                "boolean" => ", {:default=>false, :null=>false}",
                "string" if column.name == "status" || column.name == "state" => {
                    ", {:default=>\"pending\", :null=>false}"
                }
                "jsonb" => ", {:default=>{}, :null=>false}",
                _ => "",
            };
            vec![step(
                format!(
                    "add_column(:{}, :{}, :{}{options})",
                    table.name, column.name, column.rails
                ),
                us(rng, 1.0, 14.0),
            )]
        }
        Change::AddIndex {
            table,
            columns,
            unique,
        } => {
            let cols = if columns.len() == 1 {
                format!(":{}", columns[0])
            } else {
                format!(
                    "[{}]",
                    columns
                        .iter()
                        .map(|c| format!(":{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let mut options = Vec::new();
            if *unique {
                options.push(":unique=>true");
            }
            if table.large {
                options.push(":algorithm=>:concurrently");
            }
            let options = if options.is_empty() {
                String::new()
            } else {
                format!(", {{{}}}", options.join(", "))
            };
            let micros = if table.large {
                us(rng, 1500.0, 45_000.0)
            } else {
                us(rng, 2.0, 25.0)
            };
            vec![step(
                format!("add_index(:{}, {cols}{options})", table.name),
                micros,
            )]
        }
        Change::RemoveColumn { table, column } => {
            vec![step(
                format!(
                    "remove_column(:{}, :{}, :{})",
                    table.name, column.name, column.rails
                ),
                us(rng, 1.0, 9.0),
            )]
        }
        Change::RenameColumn { table, from, to } => {
            vec![step(
                format!("rename_column(:{}, :{from}, :{to})", table.name),
                us(rng, 1.0, 7.0),
            )]
        }
        Change::AddReference { table, other } => {
            let micros = if table.large {
                us(rng, 800.0, 18_000.0)
            } else {
                us(rng, 5.0, 60.0)
            };
            vec![step(
                format!(
                    "add_reference(:{}, :{}, {{:foreign_key=>true, :index=>{{:algorithm=>:concurrently}}}})",
                    table.name,
                    singular(other.name)
                ),
                micros,
            )]
        }
        Change::NotNull { table, column } => {
            let micros = if table.large {
                us(rng, 600.0, 12_000.0)
            } else {
                us(rng, 2.0, 30.0)
            };
            vec![step(
                format!(
                    "change_column_null(:{}, :{}, false)",
                    table.name, column.name
                ),
                micros,
            )]
        }
        Change::Backfill { table, column } => {
            let micros = if table.large {
                us(rng, 2000.0, 40_000.0)
            } else {
                us(rng, 40.0, 900.0)
            };
            vec![step(
                format!(
                    "execute(\"UPDATE {0} SET {1} = DEFAULT WHERE {1} IS NULL\")",
                    table.name, column.name
                ),
                micros,
            )]
        }
    }
}

/// Plan a run: `count` migrations with versions after `start_unix`.
fn plan_run(
    rng: &mut StdRng,
    tool: Tool,
    count: usize,
    start_unix: u64,
    first_version: u32,
) -> Vec<Migration> {
    let tables = parse_tables();
    let columns = parse_columns();
    let mut when = start_unix;
    let mut django_numbers: Vec<(&str, u32)> = Vec::new();
    let mut migrations = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for n in 0..count {
        when += rng.random_range(600..3 * 86_400);
        let stamp = SimDate::from_unix(when).datetime(Duration::ZERO);
        let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
        // The same change twice in one run would not pass review.
        let mut change = random_change(rng, &tables, &columns);
        for _ in 0..10 {
            if !used.contains(&change_name(&change)) {
                break;
            }
            change = random_change(rng, &tables, &columns);
        }
        let snake = change_name(&change);
        used.push(snake.clone());
        let app = match &change {
            Change::CreateTable { parent, .. } => parent.map_or("core", |p| p.app),
            Change::AddColumn { table, .. }
            | Change::AddIndex { table, .. }
            | Change::RemoveColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AddReference { table, .. }
            | Change::NotNull { table, .. }
            | Change::Backfill { table, .. } => table.app,
        };
        let (version, name) = match tool {
            Tool::Rails => (digits.clone(), camel(&snake)),
            Tool::Flyway => (
                format!("1.{}", first_version + n as u32),
                snake.replace('_', " "),
            ),
            Tool::Laravel => {
                let d = &digits;
                let suffix = if matches!(change, Change::Backfill { .. }) {
                    ""
                } else {
                    "_table"
                };
                let name = match &change {
                    Change::AddIndex { table, .. } => format!("add_indexes_to_{}", table.name),
                    _ => snake.clone(),
                };
                (
                    format!("{}_{}_{}_{}", &d[0..4], &d[4..6], &d[6..8], &d[8..14]),
                    format!("{name}{suffix}"),
                )
            }
            Tool::Django => {
                let number = match django_numbers.iter_mut().find(|(a, _)| *a == app) {
                    Some((_, k)) => {
                        *k += 1;
                        *k
                    }
                    None => {
                        let k = rng.random_range(8..60);
                        django_numbers.push((app, k));
                        k
                    }
                };
                (format!("{number:04}"), django_name(&change, &digits))
            }
        };
        migrations.push(Migration {
            version,
            name,
            app,
            steps: rails_steps(rng, &change),
            overhead_micros: us(rng, 0.2, 2.5),
        });
    }
    migrations
}

/// How Django's `makemigrations` would have named the change.
fn django_name(change: &Change, digits: &str) -> String {
    match change {
        Change::CreateTable { table, .. } => format!("{}_initial", singular(table)),
        Change::AddColumn { table, column } => format!("{}_{}", singular(table.name), column.name),
        Change::AddIndex { table, columns, .. } => {
            let short: String = table.name.chars().take(8).collect();
            format!(
                "{}_{short}_{}_idx",
                singular(table.name),
                columns[0].chars().take(8).collect::<String>()
            )
        }
        Change::RemoveColumn { table, column } => {
            format!("remove_{}_{}", singular(table.name), column.name)
        }
        Change::RenameColumn { table, from, to } => {
            format!("rename_{from}_{}_{to}", singular(table.name))
        }
        Change::AddReference { table, other } => {
            format!("{}_{}", singular(table.name), singular(other.name))
        }
        Change::NotNull { table, column } => {
            format!("alter_{}_{}", singular(table.name), column.name)
        }
        Change::Backfill { .. } => format!("auto_{}_{}", &digits[0..8], &digits[8..12]),
    }
}

/// Shrink the slow steps so the run fits `allowed_micros`.
fn fit_run(migrations: &mut [Migration], allowed_micros: u64) {
    let total: u64 = migrations.iter().map(Migration::total_micros).sum();
    if total <= allowed_micros {
        return;
    }
    let factor = allowed_micros as f64 / total as f64;
    for m in migrations {
        for s in &mut m.steps {
            s.micros = (s.micros as f64 * factor) as u64;
        }
    }
}

/// `== 20260301120000 CreateInvoices: migrating ===...` padded to 79.
fn rails_banner(version: &str, name: &str, what: &str) -> String {
    let head = format!("== {version} {name}: {what} ");
    let pad = 79usize.saturating_sub(kit::width(&head));
    format!("{head}{}", "=".repeat(pad))
}

/// Seconds with four decimals, as Rails prints them.
fn rails_secs(micros: u64) -> String {
    format!("{:.4}s", micros as f64 / 1e6)
}

/// Flyway's `00:03.412s`.
fn flyway_time(micros: u64) -> String {
    let ms = micros / 1000;
    format!(
        "{:02}:{:02}.{:03}s",
        ms / 60_000,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// Laravel's `1,234.56ms`.
fn laravel_ms(micros: u64) -> String {
    let hundredths = micros / 10;
    let whole = hundredths / 100;
    let mut digits = whole.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    format!("{digits}{grouped}.{:02}ms", hundredths % 100)
}

/// bash's `time`: `0m4.512s`.
fn bash_time(micros: u64) -> String {
    let ms = micros / 1000;
    format!("{}m{}.{:03}s", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

pub struct DbMigration {
    rng: StdRng,
    budget: Duration,
    tool: Tool,
    date: SimDate,
    services: Vec<(&'static str, &'static str, &'static str)>,
}

impl Module for DbMigration {
    fn init(_host: &Host, seed: u64, options: &Options) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let tool = match options.get("tool").unwrap_or("any") {
            "rails" => Tool::Rails,
            "flyway" => Tool::Flyway,
            "django" => Tool::Django,
            "laravel" => Tool::Laravel,
            "any" => *[Tool::Rails, Tool::Flyway, Tool::Django, Tool::Laravel]
                .choose(&mut rng)
                .unwrap_or(&Tool::Rails),
            other => return Err(format!("option `tool`: unknown tool `{other}`")),
        };
        let budget = Duration::from_secs(rng.random_range(25..=90) + rng.random_range(0..=110));
        let mut services: Vec<(&str, &str, &str)> = kit::data_lines(SERVICES)
            .into_iter()
            .filter_map(|l| {
                let mut f = l.split('|');
                Some((f.next()?, f.next()?, f.next()?))
            })
            .collect();
        services.shuffle(&mut rng);
        Ok(DbMigration {
            rng,
            budget,
            tool,
            date: SimDate::from_seed(seed),
            services,
        })
    }

    fn run(&mut self, host: &Host) -> RunResult {
        let services = self.services.clone();
        for (n, service) in services.iter().enumerate() {
            let left = HARD_CAP.saturating_sub(host.clock());
            if n > 0 && (host.clock() >= self.budget || left < Duration::from_secs(20)) {
                break;
            }
            if n > 0 {
                host.newline();
                host.sleep_ms(self.rng.random_range(1500..4000))?;
            }
            let count = self.rng.random_range(3..14);
            // Written over the last weeks, none after today.
            let start = self.date.unix(Duration::ZERO) - 45 * 86_400;
            let first_version = self.rng.random_range(12..90);
            let mut migrations = plan_run(&mut self.rng, self.tool, count, start, first_version);
            let allowed = (left.as_micros() as u64)
                .saturating_sub(15_000_000)
                .max(2_000_000);
            fit_run(&mut migrations, allowed.min(150_000_000));
            kit::shell_prompt(host, &format!("cd ~/src/{}", service.0), 0)?;
            host.sleep_ms(self.rng.random_range(300..900))?;
            match self.tool {
                Tool::Rails => self.rails(host, &migrations)?,
                Tool::Flyway => self.flyway(host, &migrations, *service, first_version)?,
                Tool::Django => self.django(host, &migrations)?,
                Tool::Laravel => self.laravel(host, &migrations)?,
            }
        }
        Ok(())
    }
}

plugin_api::export_module! {
    module: DbMigration,
    name: "db_migration",
    version: env!("CARGO_PKG_VERSION"),
    description: "Database schema migrations in Rails, Flyway, Django or Laravel style",
    signature: "bin/rails db:migrate",
    options: [
        plugin_api::option::choice(c"tool", c"migration tool shown", c"any", c"any|rails|flyway|django|laravel"),
    ],
}

impl DbMigration {
    /// `time bin/rails db:migrate`.
    fn rails(&mut self, host: &Host, migrations: &[Migration]) -> RunResult {
        kit::shell_prompt(host, "time bin/rails db:migrate", 0)?;
        let started = host.clock();
        host.sleep_ms(self.rng.random_range(1800..5000))?; // booting the app
        for m in migrations {
            kit::println_fit(host, &rails_banner(&m.version, &m.name, "migrating"), PLAIN);
            for s in &m.steps {
                kit::println_fit(host, &format!("-- {}", s.text), PLAIN);
                host.sleep_ms(s.micros / 1000)?;
                kit::println_fit(host, &format!("   -> {}", rails_secs(s.micros)), PLAIN);
            }
            host.sleep_ms(m.overhead_micros / 1000)?;
            kit::println_fit(
                host,
                &rails_banner(
                    &m.version,
                    &m.name,
                    &format!("migrated ({})", rails_secs(m.total_micros())),
                ),
                PLAIN,
            );
            host.newline();
            host.sleep_ms(self.rng.random_range(5..40))?;
        }
        host.sleep_ms(self.rng.random_range(300..1200))?; // schema dump
        self.bash_time(host, started)
    }

    /// `flyway migrate`: no per-migration times, a total at the end.
    fn flyway(
        &mut self,
        host: &Host,
        migrations: &[Migration],
        service: (&str, &str, &str),
        first_version: u32,
    ) -> RunResult {
        kit::shell_prompt(host, "flyway migrate", 0)?;
        host.sleep_ms(self.rng.random_range(900..2500))?;
        kit::println_fit(host, "Flyway OSS Edition 11.4.0 by Redgate", PLAIN);
        host.newline();
        kit::println_fit(host, "See release notes here: https://rd.gt/416ObMi", PLAIN);
        host.sleep_ms(self.rng.random_range(300..1200))?;
        let (_, db, server) = service;
        kit::println_fit(
            host,
            &format!("Database: jdbc:postgresql://{server}:5432/{db} (PostgreSQL 16.6)"),
            PLAIN,
        );
        let validate = us(&mut self.rng, 40.0, 400.0);
        host.sleep_ms(validate / 1000)?;
        let known = first_version + migrations.len() as u32;
        kit::println_fit(
            host,
            &format!(
                "Successfully validated {known} migrations (execution time {})",
                flyway_time(validate)
            ),
            PLAIN,
        );
        kit::println_fit(
            host,
            &format!(
                "Current version of schema \"public\": 1.{}",
                first_version - 1
            ),
            PLAIN,
        );
        let mut total = 0;
        for m in migrations {
            kit::println_fit(
                host,
                &format!(
                    "Migrating schema \"public\" to version \"{} - {}\"",
                    m.version, m.name
                ),
                PLAIN,
            );
            host.sleep_ms(m.total_micros() / 1000)?;
            total += m.total_micros();
        }
        let last = migrations.last().map_or("1.0", |m| m.version.as_str());
        kit::println_fit(
            host,
            &format!(
                "Successfully applied {} migrations to schema \"public\", now at version v{last} (execution time {})",
                migrations.len(),
                flyway_time(total)
            ),
            PLAIN,
        );
        Ok(())
    }

    /// `time python manage.py migrate -v 2`.
    fn django(&mut self, host: &Host, migrations: &[Migration]) -> RunResult {
        kit::shell_prompt(host, "time python manage.py migrate -v 2", 0)?;
        let started = host.clock();
        host.sleep_ms(self.rng.random_range(1200..3500))?;
        let mut apps: Vec<&str> = vec!["admin", "auth", "contenttypes", "sessions"];
        for m in migrations {
            if !apps.contains(&m.app) {
                apps.push(m.app);
            }
        }
        apps.sort_unstable();
        kit::println_fit(
            host,
            "Operations to perform:",
            Style::fg(Color::Cyan).bold(),
        );
        kit::println_spans(
            host,
            &[
                ("  Apply all migrations: ", BOLD),
                (&apps.join(", "), PLAIN),
            ],
        );
        for app in &apps {
            kit::println_fit(
                host,
                &format!("Running pre-migrate handlers for application {app}"),
                PLAIN,
            );
            host.sleep_ms(self.rng.random_range(5..30))?;
        }
        kit::println_fit(host, "Running migrations:", Style::fg(Color::Cyan).bold());
        for m in migrations {
            let label = format!("  Applying {}.{}_{}...", m.app, m.version, m.name);
            host.print(&kit::fit(&label, host.width().saturating_sub(16)));
            host.sleep_ms(m.total_micros() / 1000)?;
            host.println_styled(
                &format!(" OK ({:.3}s)", m.total_micros() as f64 / 1e6),
                Style::fg(Color::Green),
            );
        }
        for app in &apps {
            kit::println_fit(
                host,
                &format!("Running post-migrate handlers for application {app}"),
                PLAIN,
            );
            host.sleep_ms(self.rng.random_range(5..40))?;
        }
        self.bash_time(host, started)
    }

    /// `time php artisan migrate --force`: dotted lines with ms times.
    fn laravel(&mut self, host: &Host, migrations: &[Migration]) -> RunResult {
        kit::shell_prompt(host, "time php artisan migrate --force", 0)?;
        let started = host.clock();
        host.sleep_ms(self.rng.random_range(500..1500))?;
        host.newline();
        kit::println_spans(
            host,
            &[
                ("   ", PLAIN),
                ("INFO", Style::fg(Color::Blue).bold()),
                ("  Running migrations.", PLAIN),
            ],
        );
        host.newline();
        for m in migrations {
            let name = format!("{}_{}", m.version, m.name);
            host.print(&kit::fit(
                &format!("  {name} "),
                host.width().saturating_sub(20),
            ));
            host.sleep_ms(m.total_micros() / 1000)?;
            let time = laravel_ms(m.total_micros());
            let used = kit::width(&name) + 3 + kit::width(&time) + 6;
            let dots = host.width().saturating_sub(1 + used).min(150);
            host.styled(&".".repeat(dots), PLAIN.dim());
            host.styled(&format!(" {time}"), PLAIN.dim());
            host.println_styled(" DONE", Style::fg(Color::Green).bold());
        }
        host.newline();
        self.bash_time(host, started)
    }

    /// The shell's `time` report for a command that began at `started`.
    fn bash_time(&mut self, host: &Host, started: Duration) -> RunResult {
        let real = (host.clock() - started).as_micros() as u64;
        let user = (real as f64 * self.rng.random_range(0.3..0.7)) as u64;
        let sys = (real as f64 * self.rng.random_range(0.03..0.1)) as u64;
        host.newline();
        kit::println_fit(host, &format!("real\t{}", bash_time(real)), PLAIN);
        kit::println_fit(host, &format!("user\t{}", bash_time(user)), PLAIN);
        kit::println_fit(host, &format!("sys\t{}", bash_time(sys)), PLAIN);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs() -> Vec<(Tool, Vec<Migration>)> {
        let mut out = Vec::new();
        for seed in 0..60 {
            let tool = [Tool::Rails, Tool::Flyway, Tool::Django, Tool::Laravel][seed as usize % 4];
            let mut rng = StdRng::seed_from_u64(seed);
            out.push((tool, plan_run(&mut rng, tool, 12, 1_767_225_600, 30)));
        }
        out
    }

    #[test]
    fn migration_totals_add_up() {
        for (_, migrations) in runs() {
            for m in &migrations {
                let steps: u64 = m.steps.iter().map(|s| s.micros).sum();
                assert_eq!(m.total_micros(), steps + m.overhead_micros);
                assert!(m.overhead_micros < 3_000);
                // The printed figures round consistently: the total shown is
                // within rounding of the printed steps plus overhead.
                let printed: f64 = m
                    .steps
                    .iter()
                    .map(|s| {
                        rails_secs(s.micros)
                            .trim_end_matches('s')
                            .parse::<f64>()
                            .unwrap()
                    })
                    .sum();
                let total: f64 = rails_secs(m.total_micros())
                    .trim_end_matches('s')
                    .parse()
                    .unwrap();
                assert!(
                    total + 1e-9 >= printed - 0.0001 * m.steps.len() as f64
                        && total - printed <= 0.0031,
                    "{total} vs {printed}"
                );
            }
        }
    }

    #[test]
    fn fitting_keeps_the_run_inside_its_time() {
        for (_, mut migrations) in runs() {
            fit_run(&mut migrations, 20_000_000);
            let total: u64 = migrations.iter().map(Migration::total_micros).sum();
            assert!(total <= 20_000_000 + 40_000, "{total}");
        }
    }

    #[test]
    fn versions_increase() {
        for (tool, migrations) in runs() {
            if tool == Tool::Django {
                continue;
            }
            let versions: Vec<&String> = migrations.iter().map(|m| &m.version).collect();
            for w in versions.windows(2) {
                match tool {
                    Tool::Flyway => {
                        let a: u32 = w[0][2..].parse().unwrap();
                        let b: u32 = w[1][2..].parse().unwrap();
                        assert_eq!(b, a + 1);
                    }
                    _ => assert!(w[0] < w[1], "{w:?}"),
                }
            }
            if tool == Tool::Rails {
                assert!(
                    versions
                        .iter()
                        .all(|v| v.len() == 14 && v.starts_with("2026"))
                );
            }
        }
    }

    #[test]
    fn formats() {
        let banner = rails_banner("20260301120000", "CreateInvoices", "migrating");
        assert_eq!(banner.len(), 79);
        assert!(banner.starts_with("== 20260301120000 CreateInvoices: migrating ==="));
        assert_eq!(rails_secs(12_345), "0.0123s");
        assert_eq!(flyway_time(3_412_000), "00:03.412s");
        assert_eq!(flyway_time(75_004_000), "01:15.004s");
        assert_eq!(laravel_ms(12_345), "12.34ms");
        assert_eq!(laravel_ms(1_234_567), "1,234.56ms");
        assert_eq!(bash_time(4_512_000), "0m4.512s");
        assert_eq!(camel("add_status_to_orders"), "AddStatusToOrders");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("order_items"), "order_item");
    }

    #[test]
    fn data_parses() {
        assert_eq!(parse_tables().len(), kit::data_lines(TABLES).len());
        assert_eq!(parse_columns().len(), kit::data_lines(COLUMNS).len());
    }
}
