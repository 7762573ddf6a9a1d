//! The courses this API serves, read after the courses are upserted at
//! start and again whenever a course version goes live
//! (`crate::versions`): each course's id, address and join policy, and
//! which course each assignment belongs to, so a request learns its course
//! without asking Postgres.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Pool;
use domain::course::Join;
use domain::course::Kind;

/// A listed course: the domain's course and the id Postgres gave it.
#[derive(Debug, Clone)]
pub struct Course {
    pub id: i32,
    /// The course version it serves.
    pub version: i32,
    pub course: domain::course::Course,
}

/// A listed course is a course: its settings read as the course's own.
impl std::ops::Deref for Course {
    type Target = domain::course::Course;

    fn deref(&self) -> &Self::Target {
        &self.course
    }
}

#[derive(Debug)]
pub struct Catalog {
    /// Listed courses, in slug order.
    courses: Vec<Course>,
    /// The course today's learner routes (`/api/assignments`, `/api/me`) mean.
    default: usize,
    /// Every assignment's course and kind, hidden assignments included.
    course_of: HashMap<i32, (i32, Kind)>,
    /// The assignments whose results are released after their due date.
    after_due: HashSet<i32>,
    /// Each listed course's id and the version it serves, by id: what this
    /// catalog was read at.
    live: Vec<(i32, i32)>,
}

impl Catalog {
    /// Reads the listed courses; `default_slug` must be one of them.
    pub async fn load(pool: &Pool, default_slug: &str) -> anyhow::Result<Self> {
        let client = pool.get().await?;
        let courses: Vec<Course> = client
            .query(
                "SELECT id, slug, title, term, join_policy::text AS join_policy, join_code_hash,
                        stuck_after, lti_student_number, live_version
                 FROM courses WHERE listed ORDER BY slug",
                &[],
            )
            .await?
            .iter()
            .map(|r| {
                let join: String = r.try_get("join_policy")?;
                Ok(Course {
                    id: r.try_get("id")?,
                    version: r.try_get("live_version")?,
                    course: domain::course::Course {
                        slug: r.try_get("slug")?,
                        title: r.try_get("title")?,
                        term: r.try_get("term")?,
                        join: Join::parse(&join)
                            .ok_or_else(|| anyhow::anyhow!("a course's join policy {join:?}"))?,
                        join_code_hash: r.try_get("join_code_hash")?,
                        stuck_after: r.try_get("stuck_after")?,
                        lti_student_number: r.try_get("lti_student_number")?,
                    },
                })
            })
            .collect::<anyhow::Result<_>>()?;
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
        let rows = client
            .query(
                "SELECT id, course_id, kind, release = 'after_due' AS after_due FROM assignments",
                &[],
            )
            .await?;
        let course_of = rows
            .iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let kind = Kind::parse(&kind)
                    .ok_or_else(|| anyhow::anyhow!("an assignment's kind {kind:?}"))?;
                Ok((r.try_get("id")?, (r.try_get("course_id")?, kind)))
            })
            .collect::<anyhow::Result<_>>()?;
        let after_due = rows
            .iter()
            .filter(|r| r.get::<_, bool>("after_due"))
            .map(|r| r.get("id"))
            .collect();
        let mut live: Vec<(i32, i32)> = courses.iter().map(|c| (c.id, c.version)).collect();
        live.sort_unstable();
        Ok(Self {
            courses,
            default,
            course_of,
            after_due,
            live,
        })
    }

    /// Each listed course's id and served version, by id, as
    /// `store::versions::live_versions` reads them.
    pub fn live(&self) -> &[(i32, i32)] {
        &self.live
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

    /// Whether an assignment holds its results until the due date: what a
    /// learner reads of it is never cached, the hold being theirs and timed.
    pub fn releases_after_due(&self, assignment_id: i32) -> bool {
        self.after_due.contains(&assignment_id)
    }

    pub fn assignment_ids(&self) -> impl Iterator<Item = i32> + '_ {
        self.course_of.keys().copied()
    }
}
