//! `pz config get-contexts | current-context | use-context NAME`: the
//! contexts of the config file, listed, shown and switched.

use super::{ConfigCommand, Usage};
use crate::config::{ConfigError, ConfigFile, Paths, set_current_context};
use crate::sanitize::line;

pub fn run(cmd: ConfigCommand, paths: &Paths) -> anyhow::Result<i32> {
    let file = ConfigFile::load(&paths.config_file)?;
    match cmd {
        ConfigCommand::GetContexts => {
            let current = file.current_context.as_deref();
            let width = file
                .contexts
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(4)
                .max(4);
            println!("CURRENT  {:<width$}  CONSOLE", "NAME");
            for (name, c) in &file.contexts {
                let mark = if Some(name.as_str()) == current {
                    "*"
                } else {
                    " "
                };
                let ro = if c.read_only { "  (read-only)" } else { "" };
                println!(
                    "{mark:<7}  {:<width$}  {}{ro}",
                    line(name),
                    line(&c.base_url)
                );
            }
            Ok(0)
        }
        ConfigCommand::CurrentContext => match &file.current_context {
            Some(name) => {
                println!("{}", line(name));
                Ok(0)
            }
            None => {
                eprintln!(
                    "pz: no current context in {}",
                    line(&paths.config_file.display().to_string())
                );
                Ok(1)
            }
        },
        ConfigCommand::UseContext { name } => {
            match set_current_context(&paths.config_file, &name) {
                Ok(written) => {
                    if written.through_link {
                        eprintln!(
                            "pz: {} is a link: changed the file it points to, {}",
                            line(&paths.config_file.display().to_string()),
                            line(&written.file.display().to_string())
                        );
                    }
                    println!("Switched to context \"{}\".", line(&name));
                    Ok(0)
                }
                Err(ConfigError::UnknownContext(n)) => Err(Usage(format!(
                    "no context named '{}' in {} (pz config get-contexts lists them)",
                    line(&n),
                    line(&paths.config_file.display().to_string())
                ))
                .into()),
                Err(e) => Err(e.into()),
            }
        }
    }
}
