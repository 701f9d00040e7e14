//! Where an import reads from: a file or stdin, its format (told, or read
//! from the name) and its compression (gzip or zstd, recognised by the
//! first bytes, whatever the name says), with the raw bytes read counted
//! for the progress display.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How the records of an input are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// WARC records (a crawler's archive).
    Warc,
}

/// One input of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// JSON lines on standard input (`-`).
    Stdin,
    File(PathBuf),
}

impl Input {
    /// A command-line argument: `-` is stdin.
    pub fn from_arg(arg: &Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(arg.to_path_buf())
        }
    }

    /// The name rejections are reported under.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// The size of a file in bytes; `None` for stdin or an unreadable file.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        }
    }

    /// The format `told`, else the one the file name says (`.jsonl`,
    /// `.ndjson`, `.json`, `.warc`, each possibly followed by `.gz` or
    /// `.zst`); stdin carries JSON lines.
    pub fn format(&self, told: Option<Format>) -> Result<Format, String> {
        if let Some(f) = told {
            return Ok(f);
        }
        let Input::File(path) = self else {
            return Ok(Format::Jsonl);
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".zst"))
            .unwrap_or(&name);
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("jsonl" | "ndjson" | "json") => Ok(Format::Jsonl),
            Some("warc") => Ok(Format::Warc),
            _ => Err("cannot tell the format from the file name \
                      (.jsonl, .ndjson, .json or .warc, optionally .gz or .zst): \
                      give --format jsonl or --format warc"
                .to_string()),
        }
    }

    /// Open for reading, decompressed; every raw byte read is added to
    /// `read`.
    pub(super) fn open(&self, read: Arc<AtomicU64>) -> std::io::Result<Box<dyn BufRead + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(std::io::stdin()),
            Input::File(p) => Box::new(File::open(p)?),
        };
        let mut counted = BufReader::with_capacity(1 << 16, Counted { inner: raw, read });
        let head = counted.fill_buf()?;
        Ok(if head.starts_with(&[0x1f, 0x8b]) {
            // Multi-member: `cat a.gz b.gz` and per-record gzipped WARCs.
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::bufread::MultiGzDecoder::new(counted),
            ))
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Box::new(BufReader::with_capacity(
                1 << 16,
                zstd::Decoder::with_buffer(counted)?,
            ))
        } else {
            Box::new(counted)
        })
    }
}

/// A reader that counts the bytes it yields.
struct Counted {
    inner: Box<dyn Read + Send>,
    read: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_of(name: &str) -> Result<Format, String> {
        Input::File(PathBuf::from(name)).format(None)
    }

    #[test]
    fn format_comes_from_the_name_without_its_compression() {
        assert_eq!(format_of("a/b.jsonl"), Ok(Format::Jsonl));
        assert_eq!(format_of("b.NDJSON.gz"), Ok(Format::Jsonl));
        assert_eq!(format_of("b.json.zst"), Ok(Format::Jsonl));
        assert_eq!(format_of("crawl.warc.gz"), Ok(Format::Warc));
        assert!(format_of("crawl.txt").is_err());
        assert!(format_of("crawl.gz").is_err());
        assert_eq!(
            Input::File(PathBuf::from("x.txt")).format(Some(Format::Warc)),
            Ok(Format::Warc)
        );
        assert_eq!(Input::from_arg(Path::new("-")), Input::Stdin);
        assert_eq!(Input::Stdin.format(None), Ok(Format::Jsonl));
    }

    #[test]
    fn compression_is_recognised_by_its_first_bytes() {
        use std::io::Write;
        let tmp = tempfile::tempdir().expect("tempdir");
        let text = b"{\"url\": \"https://a.example/1\"}\n".repeat(100);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).expect("gzip");
        let zst = zstd::encode_all(&text[..], 3).expect("zstd");
        for (name, bytes) in [
            ("plain.jsonl", text.clone()),
            ("a.jsonl.gz", gz.finish().expect("gzip")),
            ("named-plain.jsonl", zst),
        ] {
            let path = tmp.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let read = Arc::new(AtomicU64::new(0));
            let mut out = Vec::new();
            Input::File(path)
                .open(read.clone())
                .expect("open")
                .read_to_end(&mut out)
                .expect("read");
            assert_eq!(out, text, "{name}");
            assert_eq!(read.load(Ordering::Relaxed), bytes.len() as u64, "{name}");
        }
    }
}
