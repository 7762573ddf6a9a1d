//! The courses this API serves, read once after the courses are upserted at
//! start (they change only with a restart): each course's id, address and
//! join policy, and which course each assignment belongs to, so a request
//! learns its course without asking Postgres.

use std::collections::HashMap;

use deadpool_postgres::Pool;
use domain::course::Join;
use domain::course::Kind;

#[derive(Debug, Clone)]
pub struct Course {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub term: String,
    pub join: Join,
    pub join_code_hash: Option<String>,
    /// Failures in a row that make a learner stuck in the class view.
    pub stuck_after: i32,
}

#[derive(Debug)]
pub struct Catalog {
    /// Listed courses, in slug order.
    courses: Vec<Course>,
    /// The course today's learner routes (`/api/assignments`, `/api/me`) mean.
    default: usize,
    /// Every assignment's course and kind, hidden assignments included.
    course_of: HashMap<i32, (i32, Kind)>,
}

impl Catalog {
    /// Reads the listed courses; `default_slug` must be one of them.
    pub async fn load(pool: &Pool, default_slug: &str) -> anyhow::Result<Self> {
        let client = pool.get().await?;
        let courses: Vec<Course> = client
            .query(
                "SELECT id, slug, title, term, join_policy::text, join_code_hash, stuck_after
                 FROM courses WHERE listed ORDER BY slug",
                &[],
            )
            .await?
            .iter()
            .map(|r| Course {
                id: r.get(0),
                slug: r.get(1),
                title: r.get(2),
                term: r.get(3),
                join: if r.get::<_, String>(4) == "code" {
                    Join::Code
                } else {
                    Join::Open
                },
                join_code_hash: r.get(5),
                stuck_after: r.get(6),
            })
            .collect();
        let default = courses
            .iter()
            .position(|c| c.slug == default_slug)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "DEFAULT_COURSE={default_slug:?} is not among the courses ({})",
                    courses
                        .iter()
                        .map(|c| c.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        let course_of = client
            .query("SELECT id, course_id, kind FROM assignments", &[])
            .await?
            .iter()
            .map(|r| {
                let kind = Kind::parse(r.get(2)).unwrap_or(Kind::Code);
                (r.get(0), (r.get(1), kind))
            })
            .collect();
        Ok(Self {
            courses,
            default,
            course_of,
        })
    }

    pub fn courses(&self) -> &[Course] {
        &self.courses
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Course> {
        self.courses.iter().find(|c| c.slug == slug)
    }

    pub fn default_course(&self) -> &Course {
        &self.courses[self.default]
    }

    /// The listed course an assignment belongs to.
    pub fn course_of(&self, assignment_id: i32) -> Option<&Course> {
        let (course_id, _) = *self.course_of.get(&assignment_id)?;
        self.courses.iter().find(|c| c.id == course_id)
    }

    /// What an assignment takes: code or a notebook.
    pub fn kind_of(&self, assignment_id: i32) -> Option<Kind> {
        self.course_of.get(&assignment_id).map(|(_, kind)| *kind)
    }

    pub fn assignment_ids(&self) -> impl Iterator<Item = i32> + '_ {
        self.course_of.keys().copied()
    }
}
