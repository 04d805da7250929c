//! Module options: `--set module.option=value`, checked against the module's
//! declarations before any module code runs.

use std::collections::BTreeMap;

use crate::loader::{ModuleInfo, OptionInfo, OptionKind};

/// One parsed `--set` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Module name.
    pub module: String,
    /// Option name.
    pub option: String,
    /// Value as text.
    pub value: String,
}

/// Parses `module.option=value`.
pub fn parse_setting(arg: &str) -> Result<Setting, String> {
    let (key, value) = arg.split_once('=').ok_or_else(|| {
        format!("`--set {arg}`: expected MODULE.OPTION=VALUE, e.g. llm_training.gpu=H100")
    })?;
    let (module, option) = key.split_once('.').ok_or_else(|| {
        format!("`--set {arg}`: `{key}` names no module; write MODULE.OPTION=VALUE")
    })?;
    if module.is_empty() || option.is_empty() {
        return Err(format!(
            "`--set {arg}`: both MODULE and OPTION must be given in MODULE.OPTION=VALUE"
        ));
    }
    Ok(Setting {
        module: module.to_owned(),
        option: option.to_owned(),
        value: value.to_owned(),
    })
}

/// Whether `value` is acceptable for `option`; the reason when not.
pub fn check_value(option: &OptionInfo, value: &str) -> Result<(), String> {
    match &option.kind {
        OptionKind::String => Ok(()),
        OptionKind::Bool => match value {
            "true" | "false" => Ok(()),
            _ => Err(format!("`{value}` is not true or false")),
        },
        OptionKind::Int { min, max } => match value.parse::<i64>() {
            Ok(v) if (*min..=*max).contains(&v) => Ok(()),
            Ok(v) => Err(format!("{v} is outside {min}..={max}")),
            Err(_) => Err(format!("`{value}` is not a whole number")),
        },
        OptionKind::Choice(words) => {
            if words.iter().any(|w| w == value) {
                Ok(())
            } else {
                Err(format!("`{value}` is not one of {}", words.join(", ")))
            }
        }
    }
}

/// Every declared option of `module` with its value: the user's setting or
/// the default. `settings` must already be checked with [`check_settings`].
pub fn resolve(module: &ModuleInfo, settings: &[Setting]) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = module
        .options
        .iter()
        .map(|o| (o.name.clone(), o.default.clone()))
        .collect();
    for s in settings.iter().filter(|s| s.module == module.name) {
        values.insert(s.option.clone(), s.value.clone());
    }
    values
}

/// Checks every setting against the loaded modules: unknown module, unknown
/// option and bad value are each a clear error.
pub fn check_settings(settings: &[Setting], modules: &[&ModuleInfo]) -> Result<(), String> {
    for s in settings {
        let Some(module) = modules.iter().find(|m| m.name == s.module) else {
            let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
            return Err(format!(
                "`--set {}.{}`: there is no module `{}`{}",
                s.module,
                s.option,
                s.module,
                did_you_mean(&s.module, names.iter().copied())
            ));
        };
        let Some(option) = module.options.iter().find(|o| o.name == s.option) else {
            let known: Vec<&str> = module.options.iter().map(|o| o.name.as_str()).collect();
            let hint = if known.is_empty() {
                format!(" (module `{}` has no options)", module.name)
            } else {
                let mean = did_you_mean(&s.option, known.iter().copied());
                if mean.is_empty() {
                    format!(" (its options: {})", known.join(", "))
                } else {
                    mean
                }
            };
            return Err(format!(
                "`--set {}.{}`: module `{}` has no option `{}`{hint}",
                s.module, s.option, module.name, s.option
            ));
        };
        check_value(option, &s.value)
            .map_err(|why| format!("`--set {}.{}={}`: {why}", s.module, s.option, s.value))?;
    }
    Ok(())
}

/// `"; did you mean `x`?"` when a candidate is close to `wanted`, else `""`.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// How `--list` describes what an option accepts.
pub fn describe_kind(kind: &OptionKind) -> String {
    match kind {
        OptionKind::String => "text".to_owned(),
        OptionKind::Bool => "true|false".to_owned(),
        OptionKind::Int { min, max } => format!("{min}..={max}"),
        OptionKind::Choice(words) => words.join("|"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module() -> ModuleInfo {
        ModuleInfo {
            name: "llm_training".into(),
            version: "1.0.0".into(),
            description: "d".into(),
            signature: "s".into(),
            abi: (1, 0),
            author: None,
            options: vec![
                OptionInfo {
                    name: "gpu".into(),
                    help: "h".into(),
                    default: "H100".into(),
                    kind: OptionKind::Choice(vec!["A100".into(), "H100".into()]),
                },
                OptionInfo {
                    name: "nodes".into(),
                    help: "h".into(),
                    default: "8".into(),
                    kind: OptionKind::Int { min: 1, max: 128 },
                },
            ],
        }
    }

    #[test]
    fn parses_settings() {
        let s = parse_setting("llm_training.nodes=16").unwrap();
        assert_eq!(
            (s.module.as_str(), s.option.as_str(), s.value.as_str()),
            ("llm_training", "nodes", "16")
        );
        assert!(
            parse_setting("nodes=16")
                .unwrap_err()
                .contains("names no module")
        );
        assert!(
            parse_setting("llm_training.nodes")
                .unwrap_err()
                .contains("MODULE.OPTION=VALUE")
        );
        assert!(parse_setting(".x=1").is_err());
    }

    #[test]
    fn checks_settings_with_specific_errors() {
        let m = module();
        let check = |arg: &str| check_settings(&[parse_setting(arg).unwrap()], &[&m]);
        assert!(check("llm_training.nodes=16").is_ok());
        assert!(
            check("llm_trainig.nodes=16")
                .unwrap_err()
                .contains("did you mean `llm_training`")
        );
        assert!(
            check("llm_training.node=16")
                .unwrap_err()
                .contains("did you mean `nodes`")
        );
        assert!(
            check("llm_training.nodes=0")
                .unwrap_err()
                .contains("outside 1..=128")
        );
        assert!(
            check("llm_training.nodes=many")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(
            check("llm_training.gpu=V100")
                .unwrap_err()
                .contains("not one of A100, H100")
        );
    }

    #[test]
    fn resolves_defaults_and_settings() {
        let m = module();
        let values = resolve(&m, &[parse_setting("llm_training.gpu=A100").unwrap()]);
        assert_eq!(values["gpu"], "A100");
        assert_eq!(values["nodes"], "8");
    }
}
