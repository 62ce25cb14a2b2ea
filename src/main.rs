//! `lofte`: the server and its command-line tools. A thin shell over the library crates.

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use lofte_db::promises::Actor;
use lofte_db::{Db, DbError, police_areas, promises, seed};
use lofte_domain::statistics::places::Places;
use lofte_domain::statistics::{Batch, Source};
use uuid::Uuid;

/// Löfte: medborgarlöften för kommuner och lokalpolisområden.
#[derive(Parser, Debug)]
#[command(name = "lofte", version, about)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    /// Options of `serve`, which runs when no subcommand is given.
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// Database: sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lofte.db", global = true)]
    database_url: String,
}

#[derive(Args, Debug, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LOFTE_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Serve Prometheus metrics at http://ADDR/metrics on a separate listener (off by default).
    #[arg(long, env = "LOFTE_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Do not load the Säffle demo promise into a new, empty database.
    #[arg(long, env = "LOFTE_NO_DEMO")]
    no_demo: bool,
    /// Maximum number of database connections.
    #[arg(long, env = "LOFTE_DB_CONNECTIONS", default_value_t = 8)]
    db_connections: u32,
    /// The address people use to reach the site, for links handed out (default: http://ADDR).
    #[arg(long, env = "LOFTE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Mark session cookies Secure (set this when the site is served over https).
    #[arg(long, env = "LOFTE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Send invitation and password links by e-mail through this SMTP relay
    /// (smtp://[user:password@]host[:port], plain SMTP). Without it, links are shown to admins.
    #[arg(long, env = "LOFTE_SMTP_URL")]
    smtp_url: Option<String>,
    /// The server runs behind a reverse proxy that sets X-Forwarded-For: throttle logins by the
    /// address the proxy saw, not by the proxy's own.
    #[arg(long, env = "LOFTE_TRUST_PROXY")]
    trust_proxy: bool,
    /// The sender of those e-mails.
    #[arg(long, env = "LOFTE_MAIL_FROM", default_value = "Löfte <lofte@localhost>")]
    mail_from: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Create or update the database schema, load reference data, and exit.
    Migrate,
    /// Write documents as interchange JSON on standard output.
    #[command(subcommand)]
    Export(Export),
    /// Read documents into the database.
    #[command(subcommand)]
    Import(Import),
    /// Local police areas (lokalpolisområden).
    #[command(subcommand, name = "police-area")]
    PoliceArea(PoliceAreaCmd),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Check a downloaded, sealed promise document (exit 0 when its hash and seal hold).
    Verify {
        /// The file (`-` for standard input).
        file: String,
        /// The server's public key (base64; from /.well-known/lofte-seal-key). Without it, the
        /// key of the database given by --database-url is used.
        #[arg(long)]
        public_key: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// Check the whole hash chain of the audit log; names the first broken entry (exit 1).
    Verify,
}

#[derive(Subcommand, Debug)]
enum UserCmd {
    /// Create an account; the password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Organisation: a municipality code (1785) or a police area's name (Arvika).
        #[arg(long)]
        org: Option<String>,
        /// reader, editor or signatory.
        #[arg(long, default_value = "reader")]
        role: String,
        /// A system administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Create a one-time invitation link (valid 7 days) and print it.
    Invite {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        org: String,
        #[arg(long, default_value = "editor")]
        role: String,
        /// The site's address, for the link.
        #[arg(long, env = "LOFTE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// Create a one-time link (valid 2 hours) with which the person sets a new password.
    Reset {
        #[arg(long)]
        email: String,
        #[arg(long, env = "LOFTE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

#[derive(Subcommand, Debug)]
enum Export {
    /// One promise document by id.
    Promise { id: String },
    /// Every promise document, as a JSON array.
    All,
}

#[derive(Subcommand, Debug)]
enum Import {
    /// Interchange JSON: one document or an array (FILE or - for standard input). Everything
    /// is checked before anything is written; on any error nothing is written.
    Json {
        file: String,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// A published promise as plain text (.txt) or a saved web page (.html), FILE or - for
    /// standard input: turned into the interchange format and stored as a draft (or, with
    /// --historical, as a published promise). With --dry-run nothing is written and the result
    /// is printed as JSON: the document, the warnings (what was unsure or skipped, with the
    /// source line), where each item came from and how sure each owner is.
    Text {
        file: String,
        /// Municipality code (e.g. 1785) when the text does not name it or names several.
        #[arg(long)]
        municipality: Option<String>,
        /// The police area (e.g. Arvika) when the text does not name it.
        #[arg(long)]
        police_area: Option<String>,
        /// Read the input as text or html (default: from the file name, else the content).
        #[arg(long, value_parser = ["text", "html"])]
        format: Option<String>,
        /// Store it as a published promise of the past or the present, not as a draft.
        #[arg(long)]
        historical: bool,
        /// With --historical: first day it was in force (YYYY-MM-DD; default: the period start).
        #[arg(long)]
        valid_from: Option<String>,
        /// With --historical: last day it was in force (default: the period end).
        #[arg(long)]
        valid_to: Option<String>,
        /// Write nothing; print the result as JSON.
        #[arg(long)]
        dry_run: bool,
    },
    /// Survey answers exported by another tool as CSV (one row per respondent), with a column
    /// mapping (JSON, see the import page in the workspace); without --mapping the columns must
    /// be named by question key, as in Löfte's own export. All rows or none: any problem is
    /// reported with its line and nothing is written.
    Answers {
        file: String,
        /// The survey's id (from its address in the workspace).
        #[arg(long)]
        survey: String,
        #[arg(long)]
        mapping: Option<String>,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Kolada (RKA) key figures: value documents (API v2 `next_page` or v3 `next_url`) or KPI
    /// metadata, from files or from --url (following the pages). Values are upserted by
    /// indicator, region, period and gender, so importing twice changes nothing. All or nothing.
    Kolada {
        files: Vec<String>,
        /// Fetch from the Kolada API, e.g. https://api.kolada.se/v3/data/kpi/N07403/year/2023,2024
        #[arg(long)]
        url: Option<String>,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// SCB PxWeb population (json-stat2 or v1 json), or SCB's CSV of population per municipality
    /// (kommun_kod,kommun_namn,population; needs --year): stored as scb:folkmangd, the base of
    /// every rate per 100 000.
    Scb {
        file: String,
        /// The year of a CSV file.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Polisen's published events (JSON from https://polisen.se/api/events): each event once
    /// (by id, so overlapping downloads do not count twice), counted per municipality, county,
    /// type and month. Polisen's events are a selection, not crime statistics.
    Polisen {
        files: Vec<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Brå's table of reported crimes per municipality (CSV with semicolons, or xlsx).
    Bra {
        file: String,
        /// The kind of crime, when the file's title does not say (e.g. "Anmälda brott totalt").
        #[arg(long)]
        name: Option<String>,
        /// The year, when the file does not say.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
enum PoliceAreaCmd {
    /// List police areas and the municipalities they cover.
    List,
    /// Create a police area or add municipalities to it.
    Add {
        /// Name without "Lokalpolisområde", e.g. Arvika.
        name: String,
        /// Municipality code it covers (repeatable).
        #[arg(long = "municipality", short = 'm')]
        municipalities: Vec<String>,
        /// Police region id (nord, mitt, stockholm, ost, vast, syd, bergslagen); by default the
        /// region of the first municipality's county.
        #[arg(long)]
        region: Option<String>,
    },
    /// Remove a municipality from a police area.
    Remove {
        name: String,
        #[arg(long = "municipality", short = 'm')]
        municipality: String,
    },
    /// Rename a police area (its documents follow).
    Rename { old: String, new: String },
    /// Delete a police area that no document refers to.
    Delete { name: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs requests; the tools print their own results and log only problems.
    let default_filter = if matches!(cli.command, None | Some(Command::Serve(_))) { "info,sqlx=warn" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fel: kunde inte starta: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fel: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// For commands that only read (export, list, dry runs): a SQLite file that does not exist is an
/// error rather than a new, empty database.
fn must_exist(db: &DbArgs) -> Result<()> {
    let url = db.database_url.as_str();
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if !path.is_empty() && !path.contains(":memory:") && !std::path::Path::new(path).exists() {
            anyhow::bail!("databasen {path} finns inte (kontrollera --database-url)");
        }
    }
    Ok(())
}

async fn open(db: &DbArgs, connections: u32) -> Result<Db> {
    let pool = Db::connect(&db.database_url, connections)
        .await
        .with_context(|| format!("kunde inte öppna databasen {}", redact(&db.database_url)))?;
    pool.migrate().await.context("kunde inte uppdatera databasschemat")?;
    Ok(pool)
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve(&cli.db, args).await,
        Command::Migrate => {
            let db = open(&cli.db, 1).await?;
            seed::initialise(&db, false).await?;
            println!("Databasen är uppdaterad.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(what) => {
            must_exist(&cli.db)?;
            let db = open(&cli.db, 2).await?;
            let json = match what {
                Export::Promise { id } => {
                    let Ok(uuid) = Uuid::parse_str(&id) else {
                        eprintln!("fel: {id:?} är inget giltigt id (UUID)");
                        return Ok(ExitCode::from(2));
                    };
                    let Some(stored) = promises::get(&db, uuid).await? else {
                        eprintln!("fel: inget medborgarlöfte med id {id}");
                        return Ok(ExitCode::from(1));
                    };
                    serde_json::to_string_pretty(&stored.document)?
                }
                Export::All => {
                    let mut all = Vec::new();
                    for id in promises::all_ids(&db).await? {
                        if let Some(stored) = promises::get(&db, id).await? {
                            all.push(stored.document);
                        }
                    }
                    serde_json::to_string_pretty(&all)?
                }
            };
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Json { file, dry_run }) => import_json(&cli.db, &file, dry_run).await,
        Command::Import(Import::Text {
            file,
            municipality,
            police_area,
            format,
            historical,
            valid_from,
            valid_to,
            dry_run,
        }) => {
            let args = TextImport { municipality, police_area, format, historical, valid_from, valid_to, dry_run };
            import_text(&cli.db, &file, args).await
        }
        Command::Import(Import::Answers { file, survey, mapping, dry_run }) => {
            import_answers(&cli.db, &file, &survey, mapping.as_deref(), dry_run).await
        }
        Command::Import(Import::Kolada { files, url, dry_run }) => {
            import_kolada(&cli.db, &files, url.as_deref(), dry_run).await
        }
        Command::Import(Import::Scb { file, year, dry_run }) => {
            let read = |bytes: &[u8]| lofte_domain::statistics::scb::parse(bytes, year);
            import_batch(&cli.db, Source::Scb, &file, read, dry_run).await
        }
        Command::Import(Import::Bra { file, name, year, dry_run }) => {
            let places = Places::new(&seed::reference_data()?);
            let options = lofte_domain::statistics::bra::BraOptions { name, year };
            let read = |bytes: &[u8]| lofte_domain::statistics::bra::parse(bytes, &places, &options);
            import_batch(&cli.db, Source::Bra, &file, read, dry_run).await
        }
        Command::Import(Import::Polisen { files, dry_run }) => import_polisen(&cli.db, &files, dry_run).await,
        Command::PoliceArea(cmd) => police_area(&cli.db, cmd).await,
        Command::User(cmd) => user(&cli.db, cmd).await,
        Command::Audit(AuditCmd::Verify) => {
            must_exist(&cli.db)?;
            let db = open(&cli.db, 1).await?;
            match lofte_db::audit::verify(&db).await? {
                Ok(n) => {
                    println!("Granskningsloggen är hel: {n} poster, kedjan stämmer.");
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!("Granskningsloggen är bruten: {broken}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Verify { file, public_key } => verify_file(&cli.db, &file, public_key).await,
    }
}

async fn serve(db_args: &DbArgs, args: ServeArgs) -> Result<ExitCode> {
    let db = open(db_args, args.db_connections.max(1)).await?;
    let init = seed::initialise(&db, !args.no_demo).await?;
    // The seal key is made at first start, so that its public key is stable from then on.
    lofte_db::signing::seal_key(&db).await?;
    if init.demo_loaded {
        tracing::info!("new database: loaded the Säffle demo promise");
    }
    if let Some(addr) = args.metrics_addr {
        let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .context("kunde inte starta mätvärden")?;
        let listener =
            tokio::net::TcpListener::bind(addr).await.with_context(|| format!("kunde inte lyssna på {addr}"))?;
        tracing::info!("metrics at http://{addr}/metrics");
        tokio::spawn(async move {
            if let Err(e) = lofte_web::serve_metrics(listener, move || handle.render()).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("kunde inte lyssna på {}", args.addr))?;
    tracing::info!("Löfte listening on http://{}", listener.local_addr()?);
    let local = listener.local_addr()?;
    let state = lofte_web::AppState {
        demo_enabled: !args.no_demo,
        secure_cookies: args.secure_cookies,
        public_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"))
            .trim_end_matches('/')
            .to_owned(),
        mailer: match &args.smtp_url {
            Some(url) => Some(std::sync::Arc::new(
                lofte_web::mail::Mailer::new(url, &args.mail_from).map_err(|e| anyhow::anyhow!(e))?,
            )),
            None => None,
        },
        trust_proxy: args.trust_proxy,
        ..lofte_web::AppState::new(db.clone())
    };
    // Expired sessions are removed hourly.
    let sweeper = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = lofte_db::accounts::sessions_delete_expired(&sweeper, &lofte_db::now_text()).await {
                tracing::warn!(error = %e, "could not remove expired sessions");
            }
        }
    });
    lofte_web::serve(listener, state, shutdown_signal()).await?;
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// A file error in Swedish.
fn io_sv(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "filen finns inte",
        std::io::ErrorKind::PermissionDenied => "behörighet saknas",
        std::io::ErrorKind::IsADirectory => "det är en mapp, inte en fil",
        std::io::ErrorKind::InvalidData => "filen är inte text (UTF-8)",
        _ => "läsfel",
    }
}

async fn verify_file(db_args: &DbArgs, file: &str, public_key: Option<String>) -> Result<ExitCode> {
    let text = if file == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t).context("kunde inte läsa standard in")?;
        t
    } else {
        match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {}", io_sv(&e));
                return Ok(ExitCode::from(2));
            }
        }
    };
    let key = match public_key {
        Some(k) => k,
        None => {
            if let Err(e) = must_exist(db_args) {
                eprintln!(
                    "{e}. Ange tjänstens publika nyckel med --public-key (den finns på /.well-known/lofte-seal-key)."
                );
                return Ok(ExitCode::from(2));
            }
            let db = open(db_args, 1).await?;
            match lofte_db::signing::stored_seal_key(&db).await? {
                Some(k) => k.public_key_base64(),
                None => {
                    eprintln!("Databasen har ingen sigillnyckel; ange --public-key från /.well-known/lofte-seal-key.");
                    return Ok(ExitCode::from(2));
                }
            }
        }
    };
    match lofte_domain::seal::verify_sealed(&text, Some(&key)) {
        Ok(v) => {
            println!("{file}: äkta och oförändrat: {} (SHA-256 {})", v.title, v.sha256);
            let validity = lofte_domain::signing::Validity { from: v.valid_from, to: v.valid_to };
            println!("  status när det förseglades {}: {} ({validity})", v.sealed_at, v.status.label_sv());
            for s in &v.signatures {
                println!("  undertecknat {} av {}, {} ({})", s.signed_on, s.name, s.title, s.organisation);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{file}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A file's bytes, or standard input's for "-".
/// The file's bytes, or `None` after saying (in Swedish) why it could not be read.
fn read_or_say(file: &str) -> Option<Vec<u8>> {
    read_input(file).map_err(|e| eprintln!("{file}: kunde inte läsa filen: {}", io_sv(&e))).ok()
}

fn read_input(file: &str) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(file)
    }
}

fn progress_bar(len: usize, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}})"))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

fn report(stored: &lofte_db::statistics::Stored, what: &str, dry_run: bool) {
    let s = stored;
    let head = if dry_run { "Provläsning" } else { "Importerat" };
    println!(
        "{head} ({what}): {} indikatorer, {} värden ({} nya){}.{}",
        s.indicators,
        s.observations,
        s.new_observations,
        if s.new_events > 0 || what == "Polisen" {
            format!(", {} nya händelser", s.new_events)
        } else {
            String::new()
        },
        if dry_run { " Inget skrevs." } else { "" }
    );
}

/// Reads a file with `read` and stores the batch (all or nothing).
async fn import_batch(
    db_args: &DbArgs,
    source: Source,
    file: &str,
    read: impl FnOnce(&[u8]) -> Result<Batch, lofte_domain::statistics::ImportError>,
    dry_run: bool,
) -> Result<ExitCode> {
    let Some(bytes) = read_or_say(file) else { return Ok(ExitCode::FAILURE) };
    let batch = match read(&bytes) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            eprintln!("Inget importerades.");
            return Ok(ExitCode::FAILURE);
        }
    };
    store_batch(db_args, source, file, &batch, dry_run).await
}

async fn store_batch(db_args: &DbArgs, source: Source, label: &str, batch: &Batch, dry_run: bool) -> Result<ExitCode> {
    for w in &batch.warnings {
        eprintln!("{label}: {w}");
    }
    must_exist(db_args)?;
    let db = open(db_args, 1).await?;
    let bar = progress_bar(batch.observations.len(), "värden");
    let result = lofte_db::statistics::store(&db, source, label, batch, dry_run, Actor::STATISTICS, &mut |n| {
        bar.set_position(n as u64)
    })
    .await;
    bar.finish_and_clear();
    finish(result, label, source.code(), dry_run)
}

/// Reports a stored import, or its refusal (nothing was written).
fn finish(
    result: Result<lofte_db::statistics::Stored, DbError>,
    label: &str,
    what: &str,
    dry_run: bool,
) -> Result<ExitCode> {
    match result {
        Ok(stored) => {
            report(&stored, what, dry_run);
            Ok(ExitCode::SUCCESS)
        }
        Err(DbError::Invalid(errors)) => {
            for e in errors {
                eprintln!("{label}: {}: {}", e.path, e.message);
            }
            eprintln!("Inget importerades.");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

/// The most pages --url follows (Kolada pages hold up to 5 000 values).
const MAX_PAGES: usize = 10_000;
/// The largest page --url reads.
const MAX_PAGE_BYTES: u64 = 100 * 1024 * 1024;

async fn import_kolada(db_args: &DbArgs, files: &[String], url: Option<&str>, dry_run: bool) -> Result<ExitCode> {
    use lofte_domain::statistics::kolada;
    if files.is_empty() == url.is_none() {
        eprintln!("Ange antingen filer eller --url (inte båda).");
        return Ok(ExitCode::FAILURE);
    }
    let mut all = Batch::default();
    let mut add = |doc: kolada::KoladaDocument| {
        for i in doc.batch.indicators {
            if let Some(old) = all.indicators.iter_mut().find(|o| o.key == i.key) {
                if old.description.is_empty() {
                    *old = i;
                }
            } else {
                all.indicators.push(i);
            }
        }
        all.observations.extend(doc.batch.observations);
        all.warnings.extend(doc.batch.warnings);
        doc.next
    };
    let label;
    if let Some(url) = url {
        label = url.to_owned();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .user_agent(concat!("lofte/", env!("CARGO_PKG_VERSION"), " (medborgarlöften)"))
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let spinner = indicatif::ProgressBar::new_spinner();
        let mut next = Some(url.to_owned());
        let mut seen = std::collections::HashSet::new();
        let mut page = 0;
        while let Some(u) = next.take() {
            page += 1;
            if page > MAX_PAGES || !seen.insert(u.clone()) {
                eprintln!(
                    "{u}: sidorna tar aldrig slut (samma sida igen eller fler än {MAX_PAGES}). Inget importerades."
                );
                return Ok(ExitCode::FAILURE);
            }
            spinner.set_message(format!("hämtar sida {page}"));
            let (agent, address) = (agent.clone(), u.clone());
            let fetched =
                tokio::task::spawn_blocking(move || -> Result<(ureq::http::StatusCode, Vec<u8>), ureq::Error> {
                    let mut response = agent.get(&address).call()?;
                    let body = response.body_mut().with_config().limit(MAX_PAGE_BYTES).read_to_vec()?;
                    Ok((response.status(), body))
                })
                .await?;
            let (status, bytes) = match fetched {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{u}: kunde inte hämta: {e}. Inget importerades.");
                    return Ok(ExitCode::FAILURE);
                }
            };
            if !status.is_success() {
                eprintln!("{u}: servern svarade {status}. Inget importerades.");
                return Ok(ExitCode::FAILURE);
            }
            match kolada::parse(&bytes) {
                Ok(doc) => next = add(doc),
                Err(e) => {
                    eprintln!("{u} (sida {page}): {e}");
                    eprintln!("Inget importerades.");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        spinner.finish_and_clear();
    } else {
        label = files.join(", ");
        for file in files {
            let Some(bytes) = read_or_say(file) else { return Ok(ExitCode::FAILURE) };
            match kolada::parse(&bytes) {
                Ok(doc) => {
                    if let Some(next) = add(doc) {
                        eprintln!("{file}: fler sidor finns ({next}); hämta dem med --url.");
                    }
                }
                Err(e) => {
                    eprintln!("{file}: {e}");
                    eprintln!("Inget importerades.");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    store_batch(db_args, Source::Kolada, &label, &all, dry_run).await
}

async fn import_polisen(db_args: &DbArgs, files: &[String], dry_run: bool) -> Result<ExitCode> {
    use lofte_domain::statistics::polisen;
    if files.is_empty() {
        eprintln!("Ange minst en fil med Polisens händelser.");
        return Ok(ExitCode::FAILURE);
    }
    let places = Places::new(&seed::reference_data()?);
    let mut events = Vec::new();
    for file in files {
        let Some(bytes) = read_or_say(file) else { return Ok(ExitCode::FAILURE) };
        match polisen::parse(&bytes, &places) {
            Ok(read) => {
                for w in &read.warnings {
                    eprintln!("{file}: {w}");
                }
                events.extend(read.events);
            }
            Err(e) => {
                eprintln!("{file}: {e}");
                eprintln!("Inget importerades.");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    let events = polisen::merge(events);
    must_exist(db_args)?;
    let db = open(db_args, 1).await?;
    let months: std::collections::BTreeSet<&str> = events.iter().map(|e| e.month.as_str()).collect();
    let bar = progress_bar(months.len(), "månader räknade");
    let label = files.join(", ");
    let stored = lofte_db::statistics::store_events(&db, &label, &events, dry_run, Actor::STATISTICS, &mut |n| {
        bar.set_position(n as u64)
    })
    .await;
    bar.finish_and_clear();
    if stored.is_ok() {
        println!("Polisens händelser (urval) — inte brottsstatistik.");
    }
    finish(stored, &label, "Polisen", dry_run)
}

async fn import_answers(
    db_args: &DbArgs,
    file: &str,
    survey: &str,
    mapping: Option<&str>,
    dry_run: bool,
) -> Result<ExitCode> {
    use lofte_domain::survey::csv_import;
    let Ok(id) = survey.trim().parse::<uuid::Uuid>() else {
        eprintln!("--survey: {survey:?} är inget enkät-id (ett UUID, som i enkätens adress).");
        return Ok(ExitCode::FAILURE);
    };
    let Some(bytes) = read_or_say(file) else { return Ok(ExitCode::FAILURE) };
    let mapping = match mapping {
        None => None,
        Some(path) => match std::fs::read(path) {
            Err(e) => {
                eprintln!("{path}: kunde inte läsa filen: {}", io_sv(&e));
                return Ok(ExitCode::FAILURE);
            }
            Ok(m) => match csv_import::parse_mapping(&m) {
                Ok(m) => Some(m),
                Err(p) => {
                    eprintln!("{path}: {p}");
                    return Ok(ExitCode::FAILURE);
                }
            },
        },
    };
    must_exist(db_args)?;
    let db = open(db_args, 1).await?;
    let Some(s) = lofte_db::surveys::get(&db, id).await? else {
        eprintln!("Enkäten {id} finns inte.");
        return Ok(ExitCode::FAILURE);
    };
    let sub_areas = lofte_db::surveys::sub_areas(&db, &s.municipality_code).await?;
    let read = match csv_import::read(&s.questionnaire, &sub_areas, &bytes, mapping.as_ref()) {
        Ok(r) => r,
        Err(problems) => {
            for p in &problems {
                eprintln!("{file}: {p}");
            }
            eprintln!("Inget importerades ({} fel).", problems.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    if !read.unused_columns.is_empty() {
        eprintln!("Kolumner som inte lästes: {}", read.unused_columns.join(", "));
    }
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc());
    let rows: Vec<_> =
        read.rows.into_iter().map(|r| (r.answered_on.map_or(today, lofte_domain::IsoDate), r.answers)).collect();
    if dry_run {
        println!("Provläsning: {} svar kan importeras till {:?}. Inget skrevs.", rows.len(), s.title);
        return Ok(ExitCode::SUCCESS);
    }
    let bar = indicatif::ProgressBar::new(rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} svar ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    lofte_db::surveys::import_answers(&db, id, &rows, |done| bar.set_position(done as u64)).await?;
    bar.finish_and_clear();
    println!("{} svar importerades till {:?}.", rows.len(), s.title);
    Ok(ExitCode::SUCCESS)
}

struct TextImport {
    municipality: Option<String>,
    police_area: Option<String>,
    format: Option<String>,
    historical: bool,
    valid_from: Option<String>,
    valid_to: Option<String>,
    dry_run: bool,
}

async fn import_text(db_args: &DbArgs, file: &str, args: TextImport) -> Result<ExitCode> {
    let Some(bytes) = read_or_say(file) else { return Ok(ExitCode::FAILURE) };
    if !args.historical && (args.valid_from.is_some() || args.valid_to.is_some()) {
        eprintln!("--valid-from och --valid-to gäller bara med --historical (ett utkast har inga giltighetsdagar).");
        return Ok(ExitCode::FAILURE);
    }
    let mut dates = [None, None];
    for (slot, (flag, value)) in
        dates.iter_mut().zip([("--valid-from", &args.valid_from), ("--valid-to", &args.valid_to)])
    {
        if let Some(v) = value {
            match lofte_domain::IsoDate::parse(v.trim()) {
                Some(d) => *slot = Some(d),
                None => {
                    eprintln!("{flag}: {v:?} är inget datum; skriv ÅÅÅÅ-MM-DD");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    let format = match args.format.as_deref() {
        Some("html") => lofte_import::Format::Html,
        Some(_) => lofte_import::Format::Text,
        None => lofte_import::Format::guess((file != "-").then_some(file), &bytes),
    };
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc());
    // A dry run needs no database; it uses one when there is one (for the police areas).
    let db = if args.dry_run && must_exist(db_args).is_err() { None } else { Some(open(db_args, 2).await?) };
    let ctx = match &db {
        Some(db) => {
            seed::initialise(db, false).await?;
            lofte_db::text_import::context(db, args.municipality, args.police_area, today).await?
        }
        None => lofte_db::text_import::reference_context(args.municipality, args.police_area, today)?,
    };
    let imported = match lofte_import::import(&bytes, format, &ctx) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{file}: {e}");
            eprintln!("Inget importerades.");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut result = imported.clone();
    if args.historical {
        let from = dates[0].or(imported.document.period.start);
        let to = dates[1].or(imported.document.period.end);
        result.document = imported.historical(from, to, today);
    }
    if args.historical && result.document.valid_from.is_none() {
        eprintln!(
            "{file}: obs: inget startdatum i texten eller med --valid-from; löftet sparas som gällande sedan före det registrerades här"
        );
    }
    if args.dry_run {
        let mut problems = result.document.clone().normalized().validate();
        for (i, m) in result.document.municipalities.iter().enumerate() {
            if !ctx.municipalities.iter().any(|k| k.code == m.code) {
                problems.push(lofte_domain::ValidationError {
                    path: format!("municipalities[{i}].code"),
                    message: format!("okänd kommunkod {}", m.code),
                });
            }
        }
        let ok = problems.is_empty();
        let mut out = serde_json::to_value(&result)?;
        if let Some(map) = out.as_object_mut() {
            map.insert("problems".into(), serde_json::to_value(&problems)?);
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        // As for `import json --dry-run`: exit 1 when it could not be stored as it is.
        return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    for w in &result.warnings {
        let at = if w.line == 0 { String::new() } else { format!("rad {}: ", w.line) };
        let excerpt = if w.excerpt.is_empty() { String::new() } else { format!(" ({:?})", w.excerpt) };
        eprintln!("{file}: {at}{}{excerpt}", w.message);
    }
    let Some(db) = db else { anyhow::bail!("ingen databas") };
    match promises::import(&db, vec![result.document.clone()], false).await {
        Ok(done) => {
            for d in &done {
                let kind = if args.historical { "publicerat löfte" } else { "utkast" };
                println!("Importerade {} – {} ({kind})", d.id, d.title);
                if let Some(area) = &d.new_police_area {
                    println!("  nytt lokalpolisområde: {area}");
                }
                for (id, title) in &d.superseded {
                    println!("  ersätter {id} – {title} (inte längre gällande)");
                }
            }
            if result.truncated {
                println!("Obs: texten verkar avklippt; kontrollera att inget saknas.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(DbError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{file}: {}: {}", e.path, e.message);
            }
            let missing =
                errors.iter().any(|e| e.path.starts_with("municipalities") || e.path.starts_with("police_area"));
            let hint = if missing {
                " Ange kommun eller lokalpolisområde med --municipality eller --police-area."
            } else {
                ""
            };
            eprintln!("Inget importerades ({} fel).{hint}", errors.len());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_json(db_args: &DbArgs, file: &str, dry_run: bool) -> Result<ExitCode> {
    let Some(bytes) = read_or_say(file) else { return Ok(ExitCode::FAILURE) };
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            eprintln!("{file}: byte {}: filen är inte UTF-8; spara den som UTF-8 och försök igen", e.valid_up_to());
            eprintln!("Inget importerades.");
            return Ok(ExitCode::FAILURE);
        }
    };
    let docs = match lofte_domain::parse_documents(text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{file}: {}: {}", e.path, e.message);
            eprintln!("Inget importerades.");
            return Ok(ExitCode::FAILURE);
        }
    };
    if docs.is_empty() {
        println!("{file}: filen innehåller inga dokument; inget importerades.");
        return Ok(ExitCode::SUCCESS);
    }
    let db = if dry_run {
        must_exist(db_args)?;
        open(db_args, 2).await?
    } else {
        let db = open(db_args, 2).await?;
        seed::initialise(&db, false).await?;
        db
    };
    match promises::import(&db, docs, dry_run).await {
        Ok(done) => {
            let verb = if dry_run { "Skulle importera" } else { "Importerade" };
            for d in &done {
                let what = if d.created {
                    "ny".to_owned()
                } else if d.unchanged {
                    "redan importerad, oförändrad".to_owned()
                } else {
                    format!("uppdaterad, version {}", d.version)
                };
                println!("{verb} {} – {} ({what})", d.id, d.title);
                if let Some(area) = &d.new_police_area {
                    println!("  nytt lokalpolisområde: {area}");
                }
                for (id, title) in &d.superseded {
                    println!("  ersätter {id} – {title} (inte längre gällande)");
                }
            }
            if dry_run {
                println!("{file}: giltig; inget skrevs (--dry-run).");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(DbError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{file}: {}: {}", e.path, e.message);
            }
            eprintln!("Inget importerades ({} fel).", errors.len());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

async fn police_area(db_args: &DbArgs, cmd: PoliceAreaCmd) -> Result<ExitCode> {
    if matches!(cmd, PoliceAreaCmd::List) {
        must_exist(db_args)?;
    }
    let db = open(db_args, 2).await?;
    if !matches!(cmd, PoliceAreaCmd::List) {
        seed::initialise(&db, false).await?;
    }
    let show = |p: &police_areas::PoliceArea| {
        let covers =
            if p.municipalities.is_empty() { "(inga kommuner)".to_owned() } else { p.municipalities.join(", ") };
        println!("Lokalpolisområde {} (polisregion {}): {covers}", p.name, p.police_region);
    };
    let result = match cmd {
        PoliceAreaCmd::List => {
            for p in police_areas::list(&db).await? {
                show(&p);
            }
            return Ok(ExitCode::SUCCESS);
        }
        PoliceAreaCmd::Add { name, municipalities, region } => {
            police_areas::upsert(&db, &name, region.as_deref(), &municipalities).await.map(|p| show(&p))
        }
        PoliceAreaCmd::Remove { name, municipality } => police_areas::remove_municipality(&db, &name, &municipality)
            .await
            .map(|()| println!("Kommun {municipality} ingår inte längre i lokalpolisområde {name}.")),
        PoliceAreaCmd::Rename { old, new } => {
            police_areas::rename(&db, &old, &new).await.map(|()| println!("Lokalpolisområde {old} heter nu {new}."))
        }
        PoliceAreaCmd::Delete { name } => {
            police_areas::delete(&db, &name).await.map(|()| println!("Lokalpolisområde {name} är borttaget."))
        }
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(DbError::Invalid(errors)) => {
            for e in errors {
                eprintln!("fel: {}", e.message);
            }
            Ok(ExitCode::FAILURE)
        }
        Err(DbError::NotFound) => {
            eprintln!("fel: hittades inte");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

async fn user(db_args: &DbArgs, cmd: UserCmd) -> Result<ExitCode> {
    let db = open(db_args, 2).await?;
    seed::initialise(&db, false).await?;
    match cmd {
        UserCmd::Add { email, name, org, role, admin } => {
            let Some(email) = lofte_domain::auth::normalize_email(&email) else {
                eprintln!("fel: {email:?} är ingen giltig e-postadress");
                return Ok(ExitCode::FAILURE);
            };
            let Some(role) = lofte_domain::auth::Role::parse(&role) else {
                eprintln!("fel: rollen ska vara reader, editor eller signatory");
                return Ok(ExitCode::FAILURE);
            };
            let org = match &org {
                Some(key) => match lofte_db::accounts::find_org(&db, key).await? {
                    Some(o) => Some(o),
                    None => {
                        eprintln!("fel: ingen kommun eller lokalpolisområde heter eller har koden {key:?}");
                        return Ok(ExitCode::FAILURE);
                    }
                },
                None if admin => None,
                None => {
                    eprintln!("fel: ange --org (eller --admin för en administratör)");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("kunde inte läsa lösenordet")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            if let Some(problem) = lofte_domain::auth::password_problem(&password, &email) {
                eprintln!("fel: {problem}");
                return Ok(ExitCode::FAILURE);
            }
            let hash = lofte_web::auth::hash_password(password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = match lofte_db::accounts::create(&db, &email, &name, Some(&hash), admin, false).await {
                Ok(id) => id,
                Err(DbError::Invalid(errors)) => {
                    for e in errors {
                        eprintln!("fel: {}", e.message);
                    }
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e.into()),
            };
            if let Some(org) = &org {
                lofte_db::accounts::set_membership(&db, &id, org, role).await?;
                println!(
                    "Kontot {email} är skapat ({} för {}).",
                    role.label_sv(),
                    lofte_db::accounts::org_name(&db, org).await?
                );
            } else {
                println!("Kontot {email} är skapat (administratör).");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::Reset { email, public_url } => {
            let state = lofte_web::AppState::new(db.clone());
            match lofte_web::staff::create_password_reset(&state, &email).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                Some(path) => {
                    println!("{}{path}", public_url.trim_end_matches('/'));
                    eprintln!("Länken fungerar en gång och gäller i {} timmar.", lofte_web::staff::RESET_HOURS);
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!("fel: det finns inget konto (utom demokonton) med adressen {email:?}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        UserCmd::Invite { email, name, org, role, public_url } => {
            let state = lofte_web::AppState::new(db.clone());
            match lofte_web::staff::create_invitation(&state, &email, &name, &org, &role, None).await {
                Ok(path) => {
                    println!("{}{path}", public_url.trim_end_matches('/'));
                    eprintln!("Länken fungerar en gång och gäller i {} dagar.", lofte_web::staff::INVITATION_DAYS);
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("fel: {e}");
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
