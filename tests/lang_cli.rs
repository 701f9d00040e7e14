//! `pressd lang` over the shared language-identification benchmark: the
//! command must answer exactly what the library answers, line for line, and
//! stay above an accuracy floor.

use std::io::Write;
use std::process::{Command, Stdio};

use pressd::lang::{Detector, Hints};

const LANGS: &[&str] = &["hy", "az", "ru", "en", "tr", "ka", "fa", "uk", "fr", "de"];

#[test]
fn lang_command_matches_the_library_on_benchmark_sentences() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/langid");
    if !dir.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let mut texts = Vec::new();
    let mut gold = Vec::new();
    for lang in LANGS {
        let file = std::fs::read_to_string(dir.join(lang).join("sentences.txt"))
            .expect("benchmark file readable");
        for line in file.lines().filter(|l| !l.trim().is_empty()) {
            texts.push(line.to_owned());
            gold.push(*lang);
        }
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_pressd"))
        .args(["lang", "--languages", &LANGS.join(",")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run pressd lang");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = texts.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("pressd lang output");
    writer.join().expect("writer").expect("write stdin");
    assert!(output.status.success(), "{}", output.status);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 codes");
    let got: Vec<&str> = stdout.lines().collect();
    assert_eq!(got.len(), texts.len(), "one answer per line");

    let detector = Detector::new(LANGS).expect("known languages");
    let mut per_lang = vec![(0usize, 0usize); LANGS.len()];
    for ((text, want), got) in texts.iter().zip(&gold).zip(&got) {
        let library = detector.detect(text, &Hints::default()).code;
        assert_eq!(*got, library, "CLI and library differ on {text:?}");
        let i = LANGS.iter().position(|l| l == want).expect("gold language");
        per_lang[i].1 += 1;
        if got == want {
            per_lang[i].0 += 1;
        }
    }
    let mean = per_lang
        .iter()
        .map(|(ok, n)| *ok as f64 / *n as f64)
        .sum::<f64>()
        / LANGS.len() as f64;
    assert!(mean >= 0.995, "mean accuracy {mean}");
}
