//! LTI roles to a role in the course: Instructor or Administrator →
//! instructor; TeachingAssistant → tutor; Learner → learner. The highest
//! wins; a launch with none of them is refused.

use service::token::Role;

/// Who the launch's user is in the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseRole {
    Learner,
    Staff(Role),
}

const MEMBERSHIP: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
const INSTITUTION: &str = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#";
const SYSTEM: &str = "http://purl.imsglobal.org/vocab/lis/v2/system/person#";
const TEACHING_ASSISTANT: &str =
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant";
const LEARNER_SUB: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#";

/// The course role `roles` (the launch's role URIs; LTI 1.3 also allows a
/// context role's short name) give, or None.
pub fn course_role(roles: &[String]) -> Option<CourseRole> {
    let rank = |role: &str| -> u8 {
        let short = role.strip_prefix(MEMBERSHIP).unwrap_or(role);
        if matches!(short, "Instructor" | "Administrator")
            || role == format!("{INSTITUTION}Administrator")
            || role == format!("{SYSTEM}Administrator")
        {
            3
        } else if role == TEACHING_ASSISTANT || short == "TeachingAssistant" {
            2
        } else if short == "Learner" || role.starts_with(LEARNER_SUB) {
            1
        } else {
            0
        }
    };
    match roles.iter().map(|r| rank(r)).max()? {
        3 => Some(CourseRole::Staff(Role::Instructor)),
        2 => Some(CourseRole::Staff(Role::Tutor)),
        1 => Some(CourseRole::Learner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(roles: &[&str]) -> Option<CourseRole> {
        course_role(&roles.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn roles_map_into_the_course_and_the_highest_wins() {
        assert_eq!(
            of(&[&format!("{MEMBERSHIP}Learner")]),
            Some(CourseRole::Learner)
        );
        assert_eq!(of(&["Learner"]), Some(CourseRole::Learner));
        assert_eq!(
            of(&[&format!("{MEMBERSHIP}Instructor")]),
            Some(CourseRole::Staff(Role::Instructor))
        );
        assert_eq!(
            of(&[&format!("{INSTITUTION}Administrator")]),
            Some(CourseRole::Staff(Role::Instructor))
        );
        assert_eq!(
            of(&[TEACHING_ASSISTANT]),
            Some(CourseRole::Staff(Role::Tutor))
        );
        assert_eq!(
            of(&[&format!("{MEMBERSHIP}Learner"), TEACHING_ASSISTANT]),
            Some(CourseRole::Staff(Role::Tutor))
        );
        assert_eq!(of(&[&format!("{MEMBERSHIP}Mentor")]), None);
        assert_eq!(of(&[]), None);
        // A look-alike is not the role.
        assert_eq!(of(&["http://evil.example/membership#Instructor"]), None);
    }
}
