//! Accuracy and speed of `pressd::lang` against plain whatlang on a
//! directory laid out as `<iso>/{sentences,word-pairs,single-words}.txt`.
//!
//! `cargo run --release --example lang_bench -- ../shared/bench/langid [-v LANG] [--cli PRESSD]`
//!
//! Sets: word-pairs, head4w and head8w (the first 4 and 8 words of each
//! sentence), sentences, and single-words as an extra. Both detectors are
//! restricted to the same ten languages and get no hints.
//! `-v LANG` after the directory lists the misses on LANG's texts.
//! `--cli PRESSD` also pipes every set through `PRESSD lang --languages …`
//! (one process per set, timed whole, start-up included) and scores it.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use pressd::lang::{normalize_tag, Detector, Hints};

const LANGS: &[&str] = &["hy", "az", "ru", "en", "tr", "ka", "fa", "uk", "fr", "de"];

fn head(line: &str, n: usize) -> String {
    line.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "../shared/bench/langid".into());
    let (mut show, mut cli) = (None, None);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            // Lists the misses on texts of LANG.
            "-v" => show = args.next(),
            "--cli" => cli = args.next(),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let ours = Detector::new(LANGS)?;
    let plain = whatlang::Detector::with_allowlist(
        whatlang::Lang::all()
            .iter()
            .copied()
            .filter(|l| normalize_tag(l.code()).is_some_and(|c| LANGS.contains(&c)))
            .collect(),
    );
    let plain_code = |t: &str| plain.detect_lang(t).and_then(|l| normalize_tag(l.code()));
    let read = |lang: &str, set: &str| -> anyhow::Result<Vec<String>> {
        Ok(std::fs::read_to_string(format!("{dir}/{lang}/{set}.txt"))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect())
    };
    let sets: [(&str, &str, Option<usize>); 5] = [
        ("word-pairs", "word-pairs", None),
        ("head4w", "sentences", Some(4)),
        ("head8w", "sentences", Some(8)),
        ("sentences", "sentences", None),
        ("single-words", "single-words", None),
    ];
    let hints = Hints::default();
    for (name, file, n) in sets {
        println!("\n== {name}");
        println!("{:<6} {:>8} {:>8}", "lang", "pressd", "whatlang");
        let (mut sum_o, mut sum_p) = (0.0, 0.0);
        let mut confusion: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut plain_confusion: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for lang in LANGS {
            let lines = read(lang, file)?;
            let texts: Vec<String> = match n {
                Some(n) => lines.iter().map(|l| head(l, n)).collect(),
                None => lines,
            };
            let (mut ok_o, mut ok_p) = (0, 0);
            for t in &texts {
                let got = ours.detect(t, &hints).code;
                if got == *lang {
                    ok_o += 1;
                } else {
                    *confusion.entry((lang, got)).or_default() += 1;
                    if show.as_deref() == Some(*lang) {
                        println!("   {lang}->{got}: {t}");
                    }
                }
                match plain_code(t) {
                    Some(got) if got == *lang => ok_p += 1,
                    got => {
                        *plain_confusion
                            .entry((lang, got.unwrap_or("und")))
                            .or_default() += 1
                    }
                }
            }
            let a_o = 100.0 * ok_o as f64 / texts.len() as f64;
            let a_p = 100.0 * ok_p as f64 / texts.len() as f64;
            sum_o += a_o;
            sum_p += a_p;
            println!("{lang:<6} {a_o:>8.1} {a_p:>8.1}");
        }
        let k = LANGS.len() as f64;
        println!("{:<6} {:>8.2} {:>8.2}", "mean", sum_o / k, sum_p / k);
        let pct = |m: &BTreeMap<(&str, &str), usize>, f, t| {
            m.get(&(f, t)).copied().unwrap_or(0) as f64 / 10.0
        };
        println!(
            "az->tr {:.1}% / tr->az {:.1}%   (whatlang {:.1}% / {:.1}%)",
            pct(&confusion, "az", "tr"),
            pct(&confusion, "tr", "az"),
            pct(&plain_confusion, "az", "tr"),
            pct(&plain_confusion, "tr", "az"),
        );
        let mut worst: Vec<_> = confusion.into_iter().collect();
        worst.sort_by_key(|entry| std::cmp::Reverse(entry.1));
        let shown: Vec<String> = worst
            .iter()
            .take(10)
            .map(|((f, t), c)| format!("{f}->{t} {c}"))
            .collect();
        println!("pressd's commonest misses: {}", shown.join(", "));
    }
    // Speed on full sentences, one thread.
    let all: Vec<String> = LANGS
        .iter()
        .map(|l| read(l, "sentences"))
        .collect::<anyhow::Result<Vec<_>>>()?
        .concat();
    // Best of five runs: the machine may be shared, and the fastest run is
    // the one least disturbed.
    let mut sink = 0usize;
    let (mut ours_rate, mut plain_rate) = (0.0f64, 0.0f64);
    for _ in 0..5 {
        let start = Instant::now();
        for t in &all {
            sink += ours.detect(t, &hints).code.len();
        }
        ours_rate = ours_rate.max(all.len() as f64 / start.elapsed().as_secs_f64());
        let start = Instant::now();
        for t in &all {
            sink += plain.detect_lang(t).map_or(0, |l| l.code().len());
        }
        plain_rate = plain_rate.max(all.len() as f64 / start.elapsed().as_secs_f64());
    }
    println!("\nsentences/s, one thread: pressd {ours_rate:.0}, whatlang {plain_rate:.0}");
    std::hint::black_box(sink);
    if let Some(bin) = cli {
        println!(
            "\n== `{bin} lang --languages {}`, one process per set",
            LANGS.join(",")
        );
        println!(
            "{:<13} {:>8} {:>8} {:>10}",
            "set", "mean", "seconds", "texts/s"
        );
        for (name, file, n) in sets {
            let mut texts = Vec::new();
            let mut gold = Vec::new();
            for lang in LANGS {
                for line in read(lang, file)? {
                    texts.push(match n {
                        Some(n) => head(&line, n),
                        None => line,
                    });
                    gold.push(*lang);
                }
            }
            let start = Instant::now();
            let got = run_cli(&bin, &texts)?;
            let seconds = start.elapsed().as_secs_f64();
            anyhow::ensure!(got.len() == texts.len(), "{name}: {} answers", got.len());
            // Mean over languages of the per-language accuracy, as above.
            let mean = LANGS
                .iter()
                .map(|lang| {
                    let ok = gold
                        .iter()
                        .zip(&got)
                        .filter(|(g, o)| *g == lang && o.as_str() == **g)
                        .count();
                    100.0 * ok as f64 / gold.iter().filter(|g| *g == lang).count() as f64
                })
                .sum::<f64>()
                / LANGS.len() as f64;
            let rate = texts.len() as f64 / seconds;
            println!("{name:<13} {mean:>8.2} {seconds:>8.3} {rate:>10.0}");
        }
    }
    Ok(())
}

/// The codes `bin lang` prints for `texts`, one per line.
fn run_cli(bin: &str, texts: &[String]) -> anyhow::Result<Vec<String>> {
    let mut child = Command::new(bin)
        .args(["lang", "--languages", &LANGS.join(",")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdin"))?;
    let input = texts.join("\n") + "\n";
    // Written from a thread so that a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writer panicked"))??;
    anyhow::ensure!(output.status.success(), "{bin} failed: {}", output.status);
    Ok(String::from_utf8(output.stdout)?
        .lines()
        .map(str::to_owned)
        .collect())
}
