//! A published course version arrives as a `.tar.gz` of its folder: either
//! the folder's contents at the root (`course.toml`, `NN-slug/…`) or one top
//! folder named for the course. It is unpacked into a fresh temporary folder
//! that the course loader then reads, entry by entry and never by the tar
//! crate's own unpacking: only plain files and folders, no path that climbs
//! out, and bounded in size and count, so an archive can neither write
//! outside its folder nor fill the disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use tar::EntryType;

use crate::Error;

/// The largest archive taken, compressed: a course is text.
pub const MAX_ARCHIVE_BYTES: usize = 8 << 20;
/// The most its files may hold unpacked (what a gzip bomb would pass).
pub const MAX_UNPACKED_BYTES: u64 = 64 << 20;
/// The most entries (files and folders) it may have.
pub const MAX_ENTRIES: usize = 4096;
/// The largest one file may be: a course's files are text.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// The most the decompressed stream may hold: the files, and the tar
/// format's own headers and long names (read whole by the tar crate, so
/// bounded here before it reads them).
const MAX_STREAM_BYTES: u64 = MAX_UNPACKED_BYTES + (MAX_ENTRIES as u64) * 4096;
/// The longest entry name quoted back in a refusal.
const NAME_SHOWN: usize = 200;

/// An unpacked archive; its folder is removed when this is dropped.
pub struct Unpacked {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Unpacked {
    /// The course's folder: where its `course.toml` is.
    pub fn course_dir(&self) -> &Path {
        &self.root
    }

    /// A loader's message with this unpacking's own paths taken out, so it
    /// names files as the archive does (`01-greeting/assignment.toml`).
    pub fn relative(&self, message: &str) -> String {
        let mut out = message.to_owned();
        for prefix in [&self.root, self.dir.path()] {
            out = out.replace(&format!("{}/", prefix.display()), "");
            out = out.replace(&prefix.display().to_string(), ".");
        }
        out
    }
}

fn refuse(what: String) -> Error {
    Error::Config(what)
}

/// An entry's name as a refusal quotes it: no longer than [`NAME_SHOWN`].
fn shown(name: &Path) -> String {
    let name = name.display().to_string();
    match name.char_indices().nth(NAME_SHOWN) {
        Some((end, _)) => format!("{}…", &name[..end]),
        None => name,
    }
}

/// The decompressed stream, refused past [`MAX_STREAM_BYTES`] with a
/// reason rather than silently cut.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more than allowed tells a stream at the cap from one past it.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(format!(
                    "it unpacks to more than {MAX_STREAM_BYTES} bytes"
                ))),
            };
        }
        let most = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..most])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Unpacks `archive` for the course `slug`, or says what is wrong with it.
pub fn unpack(archive: &[u8], slug: &str) -> Result<Unpacked, Error> {
    if archive.len() > MAX_ARCHIVE_BYTES {
        return Err(refuse(format!(
            "the archive is {} bytes; at most {MAX_ARCHIVE_BYTES} are taken",
            archive.len()
        )));
    }
    let dir = tempfile::Builder::new()
        .prefix("course-version-")
        .tempdir()
        .map_err(|e| Error::Unavailable(format!("no room to unpack an archive: {e}")))?;
    let mut entries = tar::Archive::new(Capped {
        inner: flate2::read::GzDecoder::new(archive),
        left: MAX_STREAM_BYTES,
    });
    let unreadable = |e: std::io::Error| {
        refuse(format!(
            "the body is not a .tar.gz archive that can be read: {e}"
        ))
    };
    let mut count = 0;
    let mut total: u64 = 0;
    for entry in entries.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        count += 1;
        if count > MAX_ENTRIES {
            return Err(refuse(format!(
                "the archive has more than {MAX_ENTRIES} entries"
            )));
        }
        if entry.header().entry_type() == EntryType::XGlobalHeader {
            // `git archive` writes one (the commit it came from): not a file.
            continue;
        }
        let name = entry.path().map_err(unreadable)?.into_owned();
        let Some(relative) = inside(&name)? else {
            continue;
        };
        total += take_entry(&mut entry, &dir.path().join(&relative), &name, total)?;
    }
    let root = course_root(dir.path(), slug)?;
    Ok(Unpacked { dir, root })
}

/// Writes one entry at `target` if it is a plain folder or file, or says
/// what it is instead; the bytes it added to the `so_far` already written.
fn take_entry(
    entry: &mut tar::Entry<'_, impl Read>,
    target: &Path,
    name: &Path,
    so_far: u64,
) -> Result<u64, Error> {
    match entry.header().entry_type() {
        EntryType::Directory => {
            std::fs::create_dir_all(target).map_err(|e| refuse(format!("{}: {e}", shown(name))))?;
            Ok(0)
        }
        EntryType::Regular | EntryType::Continuous => {
            // The size the data really has (a PAX record may say it,
            // whatever the header claims).
            let size = entry.size();
            if size > MAX_FILE_BYTES {
                return Err(refuse(format!(
                    "{}: {size} bytes; a course's file may hold at most {MAX_FILE_BYTES}",
                    shown(name)
                )));
            }
            if so_far + size > MAX_UNPACKED_BYTES {
                return Err(refuse(format!(
                    "the archive's files hold more than {MAX_UNPACKED_BYTES} bytes"
                )));
            }
            write_file(entry, target, name)?;
            Ok(size)
        }
        EntryType::Symlink | EntryType::Link => Err(refuse(format!(
            "{}: links are not taken; put the file itself in the archive",
            shown(name)
        ))),
        EntryType::Char | EntryType::Block | EntryType::Fifo => Err(refuse(format!(
            "{}: devices and pipes are not taken",
            shown(name)
        ))),
        // Headers of the archive format itself (pax, GNU long names) are
        // read by the tar crate; anything else is not a course's file.
        other => Err(refuse(format!(
            "{}: an entry of type {other:?} is not a plain file or folder",
            shown(name)
        ))),
    }
}

/// The entry's path inside the unpacking folder: None for the archive's
/// own root (`./`), an error for one that climbs out.
fn inside(name: &Path) -> Result<Option<PathBuf>, Error> {
    let mut relative = PathBuf::new();
    for part in name.components() {
        match part {
            Component::Normal(p) => relative.push(p),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(refuse(format!(
                    "{}: paths in the archive must stay inside it (no .. and no absolute paths)",
                    shown(name)
                )));
            }
        }
    }
    Ok((!relative.as_os_str().is_empty()).then_some(relative))
}

fn write_file(entry: &mut impl Read, target: &Path, name: &Path) -> Result<(), Error> {
    let fail = |e: std::io::Error| refuse(format!("{}: {e}", shown(name)));
    let mut content = Vec::new();
    entry
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut content)
        .map_err(fail)?;
    // Postgres keeps no NUL in text: a file with one could be checked but
    // never stored. A course's files are text.
    if content.contains(&0) {
        return Err(refuse(format!(
            "{}: holds a NUL byte; a course's files are text",
            shown(name)
        )));
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    // create_new: two entries of one name are refused rather than one
    // silently replacing the other.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(fail)?;
    std::io::Write::write_all(&mut file, &content).map_err(fail)?;
    Ok(())
}

/// Where `course.toml` is: at the root, or in the one top folder, which must
/// be named for the course.
fn course_root(dir: &Path, slug: &str) -> Result<PathBuf, Error> {
    if dir.join("course.toml").is_file() {
        return Ok(dir.to_owned());
    }
    let tops: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| refuse(format!("cannot read the unpacked archive: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    match &tops[..] {
        [top] if top.is_dir() && top.join("course.toml").is_file() => {
            let name = top.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name == slug {
                Ok(top.clone())
            } else {
                Err(refuse(format!(
                    "the archive's top folder is {name:?}; it must be named for the course, \
                     {slug:?}, or the course's files must be at the root"
                )))
            }
        }
        _ => Err(refuse(
            "course.toml: not found at the archive's root, nor in one top folder named for \
             the course"
                .into(),
        )),
    }
}

/// A course folder packed as the platform takes it: its contents at the
/// archive's root, in name order, leaving out what is no course's file
/// (names starting with a dot, `__pycache__`). A link is refused, as the
/// platform would refuse it.
pub fn pack(dir: &Path) -> Result<Vec<u8>, Error> {
    if !dir.join("course.toml").is_file() {
        return Err(refuse(format!(
            "{}: no course.toml; give the course's folder",
            dir.display()
        )));
    }
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    builder.follow_symlinks(false);
    add_folder(&mut builder, dir, Path::new(""))?;
    let packed = builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .map_err(|e| refuse(format!("cannot pack {}: {e}", dir.display())))?;
    if packed.len() > MAX_ARCHIVE_BYTES {
        return Err(refuse(format!(
            "{} packs to {} bytes; at most {MAX_ARCHIVE_BYTES} are taken",
            dir.display(),
            packed.len()
        )));
    }
    Ok(packed)
}

fn add_folder<W: std::io::Write>(
    builder: &mut tar::Builder<W>,
    dir: &Path,
    inside: &Path,
) -> Result<(), Error> {
    let fail = |path: &Path, e: std::io::Error| refuse(format!("{}: {e}", path.display()));
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .map_err(|e| fail(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| fail(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let shown = name.to_string_lossy();
        if shown.starts_with('.') || shown == "__pycache__" {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| fail(&path, e))?;
        let at = inside.join(&name);
        if kind.is_symlink() {
            return Err(refuse(format!(
                "{}: links are not taken; put the file itself in the folder",
                path.display()
            )));
        } else if kind.is_dir() {
            builder.append_dir(&at, &path).map_err(|e| fail(&path, e))?;
            add_folder(builder, &path, &at)?;
        } else if kind.is_file() {
            builder
                .append_path_with_name(&path, &at)
                .map_err(|e| fail(&path, e))?;
        }
    }
    Ok(())
}

/// Archives as an attacker makes them, for tests here and in the API's.
#[cfg(any(test, feature = "testing"))]
pub mod forge {
    pub use tar::EntryType;

    /// A gzipped tar of `entries` (path, type, content), built header by
    /// header so that paths the builder's own checks refuse can be made.
    pub fn archive(entries: &[(&str, EntryType, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, kind, content) in entries {
            let mut header = tar::Header::new_gnu();
            let bytes = header.as_old_mut().name.as_mut();
            bytes[..path.len()].copy_from_slice(path.as_bytes());
            header.set_entry_type(*kind);
            header.set_mode(0o644);
            if *kind == EntryType::Symlink {
                header.set_link_name(content).unwrap();
                header.set_size(0);
                header.set_cksum();
                builder.append(&header, std::io::empty()).unwrap();
            } else {
                header.set_size(content.len() as u64);
                header.set_cksum();
                builder.append(&header, content.as_bytes()).unwrap();
            }
        }
        builder.into_inner().unwrap().finish().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::forge::archive;
    use super::*;

    fn refused(entries: &[(&str, EntryType, &str)]) -> String {
        match unpack(&archive(entries), "intro") {
            Ok(_) => panic!("unpacked"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_root_or_one_top_folder_named_for_the_course() {
        let at_root = unpack(
            &archive(&[("./course.toml", EntryType::Regular, "title = 'x'")]),
            "intro",
        )
        .unwrap();
        assert!(at_root.course_dir().join("course.toml").is_file());
        let in_folder = unpack(
            &archive(&[
                ("intro/", EntryType::Directory, ""),
                ("intro/course.toml", EntryType::Regular, "title = 'x'"),
            ]),
            "intro",
        )
        .unwrap();
        assert!(in_folder.course_dir().ends_with("intro"));
        let message = in_folder.relative(&format!(
            "{}/01-a/assignment.toml: title",
            in_folder.course_dir().display()
        ));
        assert_eq!(message, "01-a/assignment.toml: title");
        let other = refused(&[("other/course.toml", EntryType::Regular, "")]);
        assert!(other.contains("\"other\""), "{other}");
        assert!(refused(&[("README", EntryType::Regular, "")]).contains("course.toml"));
    }

    #[test]
    fn a_packed_course_folder_unpacks_to_the_same_course() {
        let dir = crate::courses::repository_courses_dir().join("intro");
        let packed = pack(&dir).unwrap();
        let unpacked = unpack(&packed, "intro").unwrap();
        let again = crate::courses::read_course_folder(unpacked.course_dir(), "intro").unwrap();
        let original = crate::courses::read_course_folder(&dir, "intro").unwrap();
        assert_eq!(again.course, original.course);
        assert_eq!(again.assignments.len(), original.assignments.len());
        for (a, b) in again.assignments.iter().zip(&original.assignments) {
            assert_eq!(
                (&a.slug, &a.test_code, &a.solution_code, &a.handout_md),
                (&b.slug, &b.test_code, &b.solution_code, &b.handout_md)
            );
        }
    }

    #[test]
    fn climbing_links_and_devices_are_refused_by_name() {
        let climbing = refused(&[("../evil.py", EntryType::Regular, "x")]);
        assert!(
            climbing.contains("../evil.py") && climbing.contains("inside"),
            "{climbing}"
        );
        let absolute = refused(&[("/etc/evil", EntryType::Regular, "x")]);
        assert!(absolute.contains("/etc/evil"), "{absolute}");
        let link = refused(&[("a/solution.py", EntryType::Symlink, "/etc/passwd")]);
        assert!(
            link.contains("a/solution.py") && link.contains("links"),
            "{link}"
        );
        let hard = refused(&[("a/x", EntryType::Link, "course.toml")]);
        assert!(hard.contains("links"), "{hard}");
        let device = refused(&[("a/null", EntryType::Char, "")]);
        assert!(device.contains("devices"), "{device}");
        let twice = refused(&[
            ("course.toml", EntryType::Regular, "a"),
            ("course.toml", EntryType::Regular, "b"),
        ]);
        assert!(twice.contains("course.toml"), "{twice}");
        let garbage = match unpack(b"not a tarball", "intro") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("unpacked"),
        };
        assert!(garbage.contains(".tar.gz"), "{garbage}");
    }

    #[test]
    fn a_file_too_big_a_nul_or_a_name_bomb_is_refused_and_a_git_archive_header_skipped() {
        let big = "x".repeat(MAX_FILE_BYTES as usize + 1);
        let message = refused(&[("01-a/handout.md", EntryType::Regular, &big)]);
        assert!(
            message.contains("01-a/handout.md") && message.contains("at most"),
            "{message}"
        );
        let message = refused(&[("course.toml", EntryType::Regular, "title = '\0'")]);
        assert!(message.contains("NUL"), "{message}");
        // A GNU long name the tar crate would read whole into memory: the
        // decompressed stream is cut off first, with a reason.
        let name = "n".repeat(MAX_STREAM_BYTES as usize + 1);
        let message = refused(&[("././@LongLink", EntryType::GNULongName, &name)]);
        assert!(
            message.contains("more than"),
            "{}",
            &message[..message.len().min(300)]
        );
        assert!(message.len() < 1000, "the name is not echoed whole");
        let git = unpack(
            &archive(&[
                (
                    "pax_global_header",
                    EntryType::XGlobalHeader,
                    "52 comment=0123\n",
                ),
                ("course.toml", EntryType::Regular, "title = 'x'"),
            ]),
            "intro",
        );
        assert!(git.is_ok());
    }

    #[test]
    fn size_and_count_are_bounded() {
        let big = "x".repeat(1 << 20);
        let entries: Vec<(String, EntryType, &str)> = (0..65)
            .map(|i| (format!("f{i}"), EntryType::Regular, big.as_str()))
            .collect();
        let entries: Vec<(&str, EntryType, &str)> = entries
            .iter()
            .map(|(p, k, c)| (p.as_str(), *k, *c))
            .collect();
        // 65 MiB of x compresses to far under the archive cap.
        let bomb = archive(&entries);
        assert!(bomb.len() < MAX_ARCHIVE_BYTES);
        let message = match unpack(&bomb, "intro") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("unpacked"),
        };
        assert!(message.contains("bytes"), "{message}");
        let many: Vec<(String, EntryType, &str)> = (0..=MAX_ENTRIES)
            .map(|i| (format!("d{i}/"), EntryType::Directory, ""))
            .collect();
        let many: Vec<(&str, EntryType, &str)> =
            many.iter().map(|(p, k, c)| (p.as_str(), *k, *c)).collect();
        let message = match unpack(&archive(&many), "intro") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("unpacked"),
        };
        assert!(message.contains("entries"), "{message}");
        assert!(refused(&[]).contains("course.toml"));
    }
}
