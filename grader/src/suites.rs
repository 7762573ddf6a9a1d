//! The grader's reads of Postgres. Its writes (claim, finish, give up) are
//! transitions of the submission state machine, `store::submissions`.

use deadpool_postgres::Pool;

use crate::sandbox::TestSuite;

/// The tests of an assignment version, or None if it changed meanwhile.
pub async fn tests_of(
    pool: &Pool,
    assignment_id: i32,
    content_hash: &str,
) -> Result<Option<TestSuite>, store::Error> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT test_code, test_ids, hidden_tests, kind FROM assignments
             WHERE id = $1 AND content_hash = $2",
            &[&assignment_id, &content_hash],
        )
        .await?;
    row.map(|r| {
        let kind: String = r.try_get("kind")?;
        Ok(TestSuite {
            code: r.try_get("test_code")?,
            ids: r.try_get("test_ids")?,
            hidden: r.try_get("hidden_tests")?,
            skip: Vec::new(),
            kind: domain::course::Kind::parse(&kind)
                .ok_or_else(|| store::Error::Malformed(format!("an assignment's kind {kind:?}")))?,
        })
    })
    .transpose()
}
