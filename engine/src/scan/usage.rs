//! The usage view: what the image's entrypoint runs. Starting from the config's Entrypoint and
//! Cmd (through `sh -c`, `env` and `exec` wrappers), each program is found through PATH and
//! symbolic links; a script's `#!` interpreter runs it; a binary's DT_NEEDED libraries are
//! found as the dynamic linker finds them (RPATH, LD_LIBRARY_PATH, RUNPATH, `ld.so.conf`, the
//! default directories, `$ORIGIN`), transitively; and an interpreter brings what it loads:
//! Python the distributions of its site-packages and of the script's directory (and their
//! extension modules' libraries), Node.js the packages of the `node_modules` directories above
//! the script, `java -jar` the jar and its `Class-Path`.
//!
//! The closure is a set of files, each executed (or interpreted, or loaded as an application's
//! package) or only linked; [`super::stitch`] maps them to the packages that own them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::analyzers::Found;
use super::oci::RunConfig;

/// How a file takes part in running the entrypoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Loaded by the dynamic linker only.
    Linked,
    /// Executed, interpreted, or loaded by an interpreter as part of the application.
    Executed,
}

impl Reach {
    pub fn name(self) -> &'static str {
        match self {
            Reach::Linked => "linked",
            Reach::Executed => "closure",
        }
    }
}

/// The image's files as the stitched layers leave them: what the scan read at each path, and
/// the links.
pub struct View<'a> {
    pub files: &'a BTreeMap<String, (usize, &'a Found)>,
    pub links: &'a BTreeMap<String, String>,
}

/// At most this many links are followed resolving one path (the kernel's limit is 40).
const MAX_LINKS: usize = 40;
/// Interpreters and wrappers, at most this deep.
const MAX_DEPTH: usize = 8;

impl View<'_> {
    /// The path with every symbolic link in it resolved (each component, as the kernel does),
    /// whether or not a file is there; `None` past [`MAX_LINKS`].
    pub fn real(&self, path: &str) -> Option<String> {
        let mut pending: VecDeque<String> = path
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_string)
            .collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop_front() {
            if part == ".." {
                resolved.pop();
                continue;
            }
            resolved.push(part);
            let here = resolved.join("/");
            if let Some(target) = self.links.get(&here) {
                hops += 1;
                if hops > MAX_LINKS {
                    return None;
                }
                // Targets are stored resolved from the root.
                resolved.clear();
                for p in target.split('/').rev().filter(|c| !c.is_empty()) {
                    pending.push_front(p.to_string());
                }
            }
        }
        Some(resolved.join("/"))
    }

    /// The file at `path` (links resolved), if the scan read one there.
    fn file(&self, path: &str) -> Option<(String, &Found)> {
        let real = self.real(path)?;
        let found = self.files.get(&real)?.1;
        Some((real, found))
    }

    /// Directories listed by `etc/ld.so.conf`, following its `include` globs.
    fn ld_so_conf(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut queue = vec!["etc/ld.so.conf".to_string()];
        let mut seen = BTreeSet::new();
        while let Some(conf) = queue.pop() {
            if !seen.insert(conf.clone()) || seen.len() > 256 {
                continue;
            }
            let Some((_, Found::LdSoConf { lines })) = self.file(&conf) else {
                continue;
            };
            for line in lines {
                if let Some(pattern) = line.strip_prefix("include") {
                    let pattern = super::layers::normalize(pattern.trim());
                    let mut matched: Vec<&String> =
                        self.files.keys().filter(|p| glob(&pattern, p)).collect();
                    matched.sort();
                    queue.extend(matched.into_iter().rev().cloned());
                } else {
                    out.push(super::layers::normalize(line));
                }
            }
        }
        out
    }
}

/// `*` within one path component, the rest literal (enough for `ld.so.conf.d/*.conf`).
fn glob(pattern: &str, path: &str) -> bool {
    let (pp, fp): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), path.split('/').collect());
    pp.len() == fp.len()
        && pp.iter().zip(&fp).all(|(p, f)| match p.split_once('*') {
            None => p == f,
            Some((a, b)) => f.len() >= a.len() + b.len() && f.starts_with(a) && f.ends_with(b),
        })
}

/// What running the entrypoint reaches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Closure {
    /// The command the image runs (Entrypoint then Cmd).
    pub argv: Vec<String>,
    /// Each file reached, and how (executed wins over linked).
    pub files: BTreeMap<String, Reach>,
    /// Application directories an interpreter loads packages from: Python's site directories
    /// and the script's, Node.js's `node_modules`, with how.
    pub package_dirs: BTreeSet<String>,
    /// Jars `java` runs, with their class path.
    pub jars: BTreeSet<String>,
    /// What could not be found: a program not on PATH, a library on no search path.
    pub unresolved: Vec<String>,
}

/// Splits a shell command line into commands and their words: `;`, `&&`, `||`, `|` and `&`
/// separate commands; single and double quotes and backslashes group words. Enough for the
/// `sh -c` lines of image configs, not a shell.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, commands: &mut Vec<Vec<String>>| {
        if *in_word {
            commands
                .last_mut()
                .expect("one command")
                .push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            ';' | '&' | '|' | '\n' => {
                end_word(&mut word, &mut in_word, &mut commands);
                while chars.peek().is_some_and(|c| matches!(c, '&' | '|')) {
                    chars.next();
                }
                commands.push(Vec::new());
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut commands),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut commands);
    commands.retain(|c| !c.is_empty());
    commands
}

/// The directories a 64-bit dynamic linker searches after RUNPATH and `ld.so.cache`.
const DEFAULT_LIB_DIRS: [&str; 6] = [
    "lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu",
    "lib64",
    "usr/lib64",
    "lib",
    "usr/lib",
];

struct Walk<'v, 'a> {
    view: &'v View<'a>,
    path: Vec<String>,
    ld_library_path: Vec<String>,
    working_dir: String,
    ld_so_conf: Vec<String>,
    out: Closure,
}

/// The directory of a normalized path (`""` at the root).
pub(crate) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

impl Walk<'_, '_> {
    fn mark(&mut self, path: &str, reach: Reach) -> bool {
        match self.out.files.get(path) {
            Some(r) if *r >= reach => false,
            _ => {
                self.out.files.insert(path.to_string(), reach);
                true
            }
        }
    }

    /// A program name as `execvp` finds it: a path (from the working directory) or a search
    /// of PATH.
    fn which(&self, program: &str) -> Option<String> {
        if program.contains('/') {
            let path = if program.starts_with('/') {
                program.to_string()
            } else {
                format!("{}/{program}", self.working_dir)
            };
            return self.view.file(&path).map(|(p, _)| p);
        }
        self.path
            .iter()
            .find_map(|dir| self.view.file(&format!("{dir}/{program}")).map(|(p, _)| p))
    }

    /// Runs `argv` as the image would.
    fn exec(&mut self, argv: &[String], depth: usize) {
        let Some(program) = argv.first() else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        // Shell builtins that run their arguments, and assignments before a command.
        if matches!(program.as_str(), "exec" | "command" | "builtin")
            || (program.contains('=') && !program.starts_with('='))
        {
            self.exec(&argv[1..], depth + 1);
            return;
        }
        let Some(path) = self.which(program) else {
            self.out
                .unresolved
                .push(format!("{program}: not found on PATH"));
            return;
        };
        let newly = self.mark(&path, Reach::Executed);
        let name = program.rsplit('/').next().unwrap_or(program);
        let real_name = path.rsplit('/').next().unwrap_or(&path).to_string();
        match self.view.files.get(&path).map(|(_, f)| *f) {
            Some(Found::Script { interpreter, args }) => {
                let mut next = vec![interpreter.clone()];
                next.extend(args.iter().cloned());
                next.push(format!("/{path}"));
                self.exec(&next, depth + 1);
                self.script_args(&argv[1..], depth);
                return;
            }
            Some(Found::Binary(_)) if newly => self.link(&path),
            _ => {}
        }
        let args = &argv[1..];
        let is = |prefixes: &[&str]| {
            prefixes
                .iter()
                .any(|p| name.starts_with(p) || real_name.starts_with(p))
        };
        if matches!(name, "sh" | "bash" | "dash" | "ash" | "busybox" | "zsh")
            || matches!(real_name.as_str(), "sh" | "bash" | "dash" | "ash" | "zsh")
        {
            // `sh [options] -c LINE`: every command of the line; `sh [options] SCRIPT ARGS`:
            // the script, and its arguments as a command.
            let mut rest = args.iter();
            while let Some(a) = rest.next() {
                if a.starts_with('-') && !a.starts_with("--") && a.contains('c') {
                    for command in rest.next().map(|l| shell_commands(l)).unwrap_or_default() {
                        self.exec(&command, depth + 1);
                    }
                    break;
                }
                if a.starts_with(['-', '+']) {
                    continue;
                }
                let script = self.resolve_arg(a);
                if let Some(real) = self.view.real(&script) {
                    self.mark(&real, Reach::Executed);
                }
                let rest: Vec<String> = rest.cloned().collect();
                self.script_args(&rest, depth);
                break;
            }
        } else if matches!(
            name,
            "env" | "exec" | "nohup" | "tini" | "dumb-init" | "gosu" | "su-exec" | "chroot"
        ) && !args.is_empty()
        {
            // Wrappers: their options and (env's) assignments, then the command. gosu and
            // su-exec take a user first; chroot a directory.
            let mut rest = args
                .iter()
                .skip_while(|a| a.starts_with('-') || a.contains('='));
            if matches!(name, "gosu" | "su-exec" | "chroot") {
                rest.next();
            }
            let rest: Vec<String> = rest.cloned().collect();
            self.exec(&rest, depth + 1);
        } else if is(&["python"]) {
            self.python(&path, program, args);
        } else if is(&["node", "nodejs"]) {
            if let Some(script) = args.iter().find(|a| !a.starts_with('-')) {
                self.node(script);
            }
        } else if is(&["java"]) {
            self.java(args);
        }
    }

    /// An entrypoint script's arguments: by the `exec "$@"` convention of such scripts, the
    /// command it ends by running, when they name a program.
    fn script_args(&mut self, args: &[String], depth: usize) {
        if let Some(first) = args.first()
            && !first.starts_with('-')
            && self.which(first).is_some()
        {
            self.exec(args, depth + 1);
        }
    }

    fn resolve_arg(&self, arg: &str) -> String {
        if arg.starts_with('/') {
            super::layers::normalize(arg)
        } else {
            super::layers::normalize(&format!("{}/{arg}", self.working_dir))
        }
    }

    /// `python [options] SCRIPT | -m MODULE`: the interpreter's site directories (under its
    /// real and its invoked prefix, so a virtualenv's too) and the script's directory.
    fn python(&mut self, real: &str, invoked: &str, args: &[String]) {
        let version = real
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_prefix("python"))
            .filter(|v| v.contains('.'))
            .map(str::to_string);
        let invoked_path = self.resolve_arg(invoked);
        let invoked = if invoked.contains('/') {
            invoked_path.as_str()
        } else {
            real
        };
        let mut prefixes: BTreeSet<String> = BTreeSet::new();
        for bin in [real, invoked] {
            let dir = dir_of(bin);
            prefixes.insert(dir_of(dir).to_string());
        }
        // Debian's /usr/bin/python3 also reads what pip installed under /usr/local.
        if prefixes.contains("usr") {
            prefixes.insert("usr/local".to_string());
        }
        let versions: Vec<String> = match &version {
            Some(v) => vec![v.clone()],
            // `python3` itself (not a link to python3.X): every python3.* directory.
            None => self
                .view
                .files
                .keys()
                .filter_map(|p| {
                    p.split('/')
                        .find(|c| c.starts_with("python3."))
                        .map(|c| c["python".len()..].to_string())
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        for prefix in &prefixes {
            let lib = if prefix.is_empty() {
                "lib".to_string()
            } else {
                format!("{prefix}/lib")
            };
            self.out
                .package_dirs
                .insert(format!("{lib}/python3/dist-packages"));
            for v in &versions {
                for site in ["site-packages", "dist-packages"] {
                    self.out
                        .package_dirs
                        .insert(format!("{lib}/python{v}/{site}"));
                }
            }
        }
        let mut takes_value = false;
        for a in args {
            if std::mem::take(&mut takes_value) {
                continue;
            }
            if a == "-m" || a == "-c" {
                // A module or a command runs from the working directory.
                self.out.package_dirs.insert(self.working_dir.clone());
                break;
            }
            if a.starts_with('-') {
                // `-W ignore`, `-X dev`: options with a separate value.
                takes_value = a == "-W" || a == "-X";
                continue;
            }
            let script = self.resolve_arg(a);
            if let Some(real) = self.view.real(&script) {
                self.mark(&real, Reach::Executed);
                self.out.package_dirs.insert(dir_of(&real).to_string());
            }
            break;
        }
    }

    /// `node SCRIPT`: the `node_modules` directories from the script's directory up.
    fn node(&mut self, script: &str) {
        let script = self.resolve_arg(script);
        let real = self.view.real(&script).unwrap_or(script);
        self.mark(&real, Reach::Executed);
        let mut dir = dir_of(&real).to_string();
        loop {
            let modules = if dir.is_empty() {
                "node_modules".to_string()
            } else {
                format!("{dir}/node_modules")
            };
            self.out.package_dirs.insert(modules);
            if dir.is_empty() {
                break;
            }
            dir = dir_of(&dir).to_string();
        }
    }

    /// `java -jar JAR` or `java -cp A:B MAIN`: the jars (a jar's `Class-Path` is added by
    /// the caller from what the scan read of it).
    fn java(&mut self, args: &[String]) {
        let mut rest = args.iter();
        while let Some(a) = rest.next() {
            match a.as_str() {
                "-jar" => {
                    if let Some(jar) = rest.next() {
                        let jar = self.resolve_arg(jar);
                        self.jar(&jar, 0);
                    }
                    break;
                }
                "-cp" | "-classpath" | "--class-path" => {
                    for entry in rest.next().into_iter().flat_map(|cp| cp.split(':')) {
                        let entry = self.resolve_arg(entry);
                        self.jar(&entry, 0);
                    }
                }
                _ => {}
            }
        }
    }

    fn jar(&mut self, jar: &str, depth: usize) {
        let real = self.view.real(jar).unwrap_or_else(|| jar.to_string());
        if depth > MAX_DEPTH || !self.out.jars.insert(real.clone()) {
            return;
        }
        self.mark(&real, Reach::Executed);
        if let Some((_, Found::Packages { class_path, .. })) = self.view.files.get(&real) {
            let dir = dir_of(&real).to_string();
            for entry in class_path.clone() {
                let next = super::layers::normalize(&format!("{dir}/{entry}"));
                self.jar(&next, depth + 1);
            }
        }
    }

    /// Follows a binary's DT_NEEDED libraries (and its program interpreter), transitively.
    fn link(&mut self, start: &str) {
        let mut queue = VecDeque::from([start.to_string()]);
        let mut done = BTreeSet::new();
        // RPATH is inherited from the executable down the chain (when no RUNPATH is set).
        let mut inherited_rpath: Vec<String> = Vec::new();
        while let Some(object) = queue.pop_front() {
            if !done.insert(object.clone()) {
                continue;
            }
            let Some((_, Found::Binary(b))) = self.view.files.get(&object) else {
                continue;
            };
            let origin = dir_of(&object).to_string();
            let expand = |dirs: &[String]| -> Vec<String> {
                dirs.iter()
                    .map(|d| {
                        let d = d
                            .replace("${ORIGIN}", &format!("/{origin}"))
                            .replace("$ORIGIN", &format!("/{origin}"));
                        super::layers::normalize(&d)
                    })
                    .collect()
            };
            let rpath = expand(&b.rpath);
            let runpath = expand(&b.runpath);
            if object == start {
                inherited_rpath = rpath.clone();
            }
            if let Some(interp) = &b.interpreter
                && let Some((real, _)) = self.view.file(interp)
            {
                self.mark(&real, Reach::Linked);
                queue.push_back(real);
            }
            let mut dirs: Vec<String> = Vec::new();
            if runpath.is_empty() {
                dirs.extend(rpath.iter().cloned());
                dirs.extend(inherited_rpath.iter().cloned());
            }
            dirs.extend(self.ld_library_path.iter().cloned());
            dirs.extend(runpath);
            dirs.extend(self.ld_so_conf.iter().cloned());
            dirs.extend(DEFAULT_LIB_DIRS.iter().map(|d| d.to_string()));
            for needed in &b.needed {
                let found = if needed.contains('/') {
                    self.view.file(needed).map(|(p, _)| p)
                } else {
                    dirs.iter().find_map(|d| {
                        let p = format!("{d}/{needed}");
                        match self.view.file(&p) {
                            Some((real, Found::Binary(_))) => Some(real),
                            _ => None,
                        }
                    })
                };
                match found {
                    Some(real) => {
                        self.mark(&real, Reach::Linked);
                        queue.push_back(real);
                    }
                    None => self
                        .out
                        .unresolved
                        .push(format!("{needed}: needed by /{object}, on no library path")),
                }
            }
        }
    }
}

/// The entrypoint's closure, or `None` for an image with neither Entrypoint nor Cmd.
pub fn closure(view: &View<'_>, config: &RunConfig) -> Option<Closure> {
    let mut argv: Vec<String> = config.entrypoint.clone().unwrap_or_default();
    argv.extend(config.cmd.clone().unwrap_or_default());
    if argv.is_empty() {
        return None;
    }
    let env: BTreeMap<&str, &str> = config
        .env
        .iter()
        .flatten()
        .filter_map(|e| e.split_once('='))
        .collect();
    let split = |v: &str| -> Vec<String> {
        v.split(':')
            .filter(|d| !d.is_empty())
            .map(super::layers::normalize)
            .collect()
    };
    let mut walk = Walk {
        view,
        path: split(
            env.get("PATH")
                .copied()
                .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        ),
        ld_library_path: env
            .get("LD_LIBRARY_PATH")
            .map(|v| split(v))
            .unwrap_or_default(),
        working_dir: super::layers::normalize(config.working_dir.as_deref().unwrap_or("/")),
        ld_so_conf: view.ld_so_conf(),
        out: Closure {
            argv: argv.clone(),
            ..Closure::default()
        },
    };
    walk.exec(&argv, 0);
    // The extension modules of the application's Python packages are loaded on import: their
    // libraries are linked too.
    let extensions: Vec<String> = view
        .files
        .iter()
        .filter(|(p, (_, f))| {
            matches!(f, Found::Binary(_))
                && walk.out.package_dirs.iter().any(|d| {
                    p.starts_with(&format!("{d}/")) && (p.ends_with(".so") || p.contains(".so."))
                })
        })
        .map(|(p, _)| p.clone())
        .collect();
    for p in extensions {
        walk.mark(&p, Reach::Executed);
        walk.link(&p);
    }
    walk.out.unresolved.sort();
    walk.out.unresolved.dedup();
    Some(walk.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::native::Binary;

    fn elf(needed: &[&str], runpath: &[&str]) -> Found {
        Found::Binary(Box::new(Binary {
            needed: needed.iter().map(|s| s.to_string()).collect(),
            runpath: runpath.iter().map(|s| s.to_string()).collect(),
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            ..Binary::default()
        }))
    }

    type Files<'a> = BTreeMap<String, (usize, &'a Found)>;

    /// The maps a [`View`] borrows, from `(path, what is there)` and `(link, target)` pairs.
    fn maps<'a>(
        files: &[(&str, &'a Found)],
        links: &[(&str, &str)],
    ) -> (Files<'a>, BTreeMap<String, String>) {
        (
            files
                .iter()
                .map(|(p, f)| (p.to_string(), (0, *f)))
                .collect(),
            links
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn shell_lines() {
        assert_eq!(
            shell_commands("exec nginx -g 'daemon off;' && echo \"a b\"|tee x; y\\ z"),
            [
                vec!["exec", "nginx", "-g", "daemon off;"],
                vec!["echo", "a b"],
                vec!["tee", "x"],
                vec!["y z"]
            ]
        );
        assert!(glob(
            "etc/ld.so.conf.d/*.conf",
            "etc/ld.so.conf.d/x86_64-linux-gnu.conf"
        ));
        assert!(!glob(
            "etc/ld.so.conf.d/*.conf",
            "etc/ld.so.conf.d/a/b.conf"
        ));
    }

    #[test]
    fn entrypoint_through_sh_env_and_links() {
        let app = elf(
            &["libssl.so.3", "libfoo.so.1", "libmissing.so.9"],
            &["$ORIGIN/../lib"],
        );
        let ssl = elf(&["libcrypto.so.3"], &[]);
        let crypto = elf(&["libc.so.6"], &[]);
        let libc = elf(&[], &[]);
        let foo = elf(&[], &[]);
        let ld = elf(&[], &[]);
        let sh = elf(&["libc.so.6"], &[]);
        let conf = Found::LdSoConf {
            lines: vec!["include /etc/ld.so.conf.d/*.conf".into()],
        };
        let conf_d = Found::LdSoConf {
            lines: vec!["/opt/ssl/lib".into()],
        };
        let script = Found::Script {
            interpreter: "/bin/sh".into(),
            args: vec![],
        };
        let (files, links) = maps(
            &[
                ("usr/bin/dash", &sh),
                ("usr/bin/env", &sh),
                ("opt/app/bin/app", &app),
                ("opt/app/lib/libfoo.so.1", &foo),
                ("opt/ssl/lib/libssl.so.3", &ssl),
                ("usr/lib/x86_64-linux-gnu/libcrypto.so.3", &crypto),
                ("usr/lib/x86_64-linux-gnu/libc.so.6", &libc),
                ("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", &ld),
                ("etc/ld.so.conf", &conf),
                ("etc/ld.so.conf.d/ssl.conf", &conf_d),
                ("entry.sh", &script),
            ],
            &[
                ("bin", "usr/bin"),
                ("lib", "usr/lib"),
                ("lib64", "usr/lib/x86_64-linux-gnu"),
                ("usr/bin/sh", "usr/bin/dash"),
                ("usr/local/bin/app", "opt/app/bin/app"),
            ],
        );
        let view = View {
            files: &files,
            links: &links,
        };
        assert_eq!(view.real("bin/sh").unwrap(), "usr/bin/dash");
        let config = RunConfig {
            entrypoint: Some(vec!["/entry.sh".into()]),
            cmd: Some(vec![
                "sh".into(),
                "-c".into(),
                "exec env A=1 app --serve".into(),
            ]),
            ..RunConfig::default()
        };
        let c = closure(&view, &config).unwrap();
        let executed: Vec<&str> = c
            .files
            .iter()
            .filter(|(_, r)| **r == Reach::Executed)
            .map(|(p, _)| p.as_str())
            .collect();
        // entry.sh runs under /bin/sh (dash); its arguments are the command it execs.
        assert_eq!(
            executed,
            ["entry.sh", "opt/app/bin/app", "usr/bin/dash", "usr/bin/env"]
        );
        let config = RunConfig {
            cmd: Some(vec![
                "sh".into(),
                "-c".into(),
                "exec env A=1 app --serve".into(),
            ]),
            ..RunConfig::default()
        };
        let c = closure(&view, &config).unwrap();
        let got: Vec<(&str, Reach)> = c.files.iter().map(|(p, r)| (p.as_str(), *r)).collect();
        assert_eq!(
            got,
            [
                ("opt/app/bin/app", Reach::Executed),
                ("opt/app/lib/libfoo.so.1", Reach::Linked),
                ("opt/ssl/lib/libssl.so.3", Reach::Linked),
                ("usr/bin/dash", Reach::Executed),
                ("usr/bin/env", Reach::Executed),
                (
                    "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                    Reach::Linked
                ),
                ("usr/lib/x86_64-linux-gnu/libc.so.6", Reach::Linked),
                ("usr/lib/x86_64-linux-gnu/libcrypto.so.3", Reach::Linked),
            ]
        );
        assert_eq!(
            c.unresolved,
            ["libmissing.so.9: needed by /opt/app/bin/app, on no library path"]
        );
        assert!(closure(&view, &RunConfig::default()).is_none());
    }

    #[test]
    fn interpreters_bring_their_packages() {
        let python = elf(&[], &[]);
        let node = elf(&[], &[]);
        let java = elf(&[], &[]);
        let extension = elf(&["libyaml-0.so.2"], &[]);
        let libyaml = elf(&[], &[]);
        let script = Found::Script {
            interpreter: "/usr/bin/env".into(),
            args: vec!["python3".into()],
        };
        let env = elf(&[], &[]);
        let app_jar = Found::Packages {
            manager: crate::scan::analyzers::Manager::Maven,
            packages: vec![],
            class_path: vec!["lib/dep.jar".into()],
        };
        let dep_jar = Found::Packages {
            manager: crate::scan::analyzers::Manager::Maven,
            packages: vec![],
            class_path: vec![],
        };
        let (files, links) = maps(
            &[
                ("usr/bin/python3.11", &python),
                ("usr/bin/env", &env),
                ("usr/bin/node", &node),
                ("usr/lib/jvm/bin/java", &java),
                ("srv/app/run", &script),
                ("usr/lib/python3/dist-packages/yaml/_yaml.so", &extension),
                ("usr/lib/x86_64-linux-gnu/libyaml-0.so.2", &libyaml),
                ("srv/java/app.jar", &app_jar),
                ("srv/java/lib/dep.jar", &dep_jar),
            ],
            &[
                ("usr/bin/python3", "usr/bin/python3.11"),
                ("usr/bin/java", "usr/lib/jvm/bin/java"),
            ],
        );
        let view = View {
            files: &files,
            links: &links,
        };
        let run = |cmd: &[&str], dir: &str| {
            closure(
                &view,
                &RunConfig {
                    cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
                    working_dir: Some(dir.into()),
                    ..RunConfig::default()
                },
            )
            .unwrap()
        };
        // A script run through `env python3`: Python 3.11's site directories and the script's.
        let c = run(&["./run"], "/srv/app");
        assert!(c.package_dirs.contains("usr/lib/python3/dist-packages"));
        assert!(
            c.package_dirs
                .contains("usr/local/lib/python3.11/site-packages")
        );
        assert!(c.package_dirs.contains("srv/app"));
        assert_eq!(c.files["usr/bin/python3.11"], Reach::Executed);
        // An extension module of a package it can import, and the library that links.
        assert_eq!(
            c.files["usr/lib/python3/dist-packages/yaml/_yaml.so"],
            Reach::Executed
        );
        assert_eq!(
            c.files["usr/lib/x86_64-linux-gnu/libyaml-0.so.2"],
            Reach::Linked
        );

        let c = run(&["node", "server/index.js"], "/srv/web");
        assert!(c.package_dirs.contains("srv/web/server/node_modules"));
        assert!(c.package_dirs.contains("srv/web/node_modules"));
        assert!(c.package_dirs.contains("node_modules"));
        assert!(
            !c.files
                .contains_key("usr/lib/x86_64-linux-gnu/libyaml-0.so.2")
        );

        let c = run(&["java", "-Xmx1g", "-jar", "app.jar"], "/srv/java");
        assert_eq!(
            c.jars.iter().collect::<Vec<_>>(),
            ["srv/java/app.jar", "srv/java/lib/dep.jar"]
        );
        assert!(c.unresolved.is_empty(), "{:?}", c.unresolved);
        let c = run(&["nope"], "/");
        assert_eq!(c.unresolved, ["nope: not found on PATH"]);
    }
}
