//! Reading typed settings from the environment, once, at start.

use std::str::FromStr;

use crate::Error;

/// A variable parsed as `T`, or `default` when unset.
pub fn env_or<T: FromStr>(name: &str, default: T) -> Result<T, Error>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|e| Error::Config(format!("{name}={v:?} is invalid: {e}"))),
        _ => Ok(default),
    }
}

/// A variable that must be set.
pub fn required(name: &str) -> Result<String, Error> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(Error::Config(format!("{name} must be set"))),
    }
}

/// The contents of the file `var` names (Docker secrets), without trailing
/// newlines; None when `var` is unset. The one place a secret file is read;
/// values are never logged.
pub fn secret_file(var: &str) -> Result<Option<String>, Error> {
    let Ok(path) = std::env::var(var) else {
        return Ok(None);
    };
    let value = std::fs::read_to_string(&path)
        .map_err(|e| Error::Config(format!("{var}: cannot read {path}: {e}")))?;
    let value = value.trim_end_matches(['\n', '\r']).to_owned();
    if value.is_empty() {
        return Err(Error::Config(format!("{var}: {path} is empty")));
    }
    Ok(Some(value))
}

/// A secret: read from the file named by `{name}_FILE` when set, else from
/// `{name}`.
pub fn secret(name: &str) -> Result<String, Error> {
    let file_var = format!("{name}_FILE");
    if let Some(value) = secret_file(&file_var)? {
        return Ok(value);
    }
    required(name).map_err(|_| Error::Config(format!("{name} or {file_var} must be set")))
}

/// `REDIS_URL`, and the password in `REDIS_PASSWORD_FILE` when set (so it
/// never has to sit in a container's environment): for `queue::connect`.
pub fn redis_settings() -> Result<(String, Option<String>), Error> {
    Ok((required("REDIS_URL")?, secret_file("REDIS_PASSWORD_FILE")?))
}

/// `DATABASE_URL`, and the password in `DATABASE_PASSWORD_FILE` when set:
/// for `store::db::config`.
pub fn database_settings() -> Result<(String, Option<String>), Error> {
    Ok((
        required("DATABASE_URL")?,
        secret_file("DATABASE_PASSWORD_FILE")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_take_their_default_and_bad_ones_fail() {
        assert_eq!(env_or("CODEPLATFORM_TEST_UNSET_VAR", 7u32).unwrap(), 7);
        std::env::set_var("CODEPLATFORM_TEST_BAD_VAR", "seven");
        assert!(env_or("CODEPLATFORM_TEST_BAD_VAR", 7u32).is_err());
    }

    #[test]
    fn secrets_are_read_from_files_without_the_newline() {
        let path = std::env::temp_dir().join(format!("cp-secret-{}", std::process::id()));
        std::fs::write(&path, "s3cret\n").unwrap();
        std::env::set_var("CODEPLATFORM_TEST_SECRET_FILE", &path);
        assert_eq!(secret("CODEPLATFORM_TEST_SECRET").unwrap(), "s3cret");
        std::fs::remove_file(path).unwrap();
    }
}
