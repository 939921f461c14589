//! `kontor`: serve the invoicing application and administer it from the command line.

mod backup_page;
mod cli;
mod commands;
mod monitoring;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    if let cli::Command::RenderTemplate(args) = &cli.command {
        // A child process compiling an own document template: no runtime, no logging (its
        // stdout is the answer).
        return kontor_app::rendering::child_main(args.memory_mib, args.cpu_seconds);
    }
    if let cli::Command::ExtractEinvoice(args) = &cli.command {
        // A child process reading a received PDF: likewise.
        return kontor_app::incoming::worker::child_main(args.memory_mib, args.cpu_seconds);
    }
    commands::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kontor: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kontor: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
