//! WARC records → items that carry their page: the `response` records of
//! HTML pages, their HTTP payload decoded as a fetched page's is (the
//! charset the HTTP header names, else what the page declares or looks
//! like), under the record's `WARC-Target-URI`. Other records (requests,
//! metadata, images, redirects) are skipped, not rejected.

use std::io::{BufRead, Read};

use url::Url;
use warc::{WarcHeader, WarcReader};

use crate::charset::{charset_param, decode_html};
use crate::item::Item;

/// Read every record of `reader`, calling `each` with its number (from 1)
/// and its item, or what is wrong with it; records that are not HTML
/// responses are not passed. A record that cannot be read ends the file:
/// the records after it cannot be found reliably. `each` returns `false`
/// to stop.
pub(super) fn read(reader: impl BufRead, mut each: impl FnMut(u64, Result<Item, String>) -> bool) {
    for (i, record) in WarcReader::new(reader).iter_raw_records().enumerate() {
        let n = i as u64 + 1;
        let (header, body) = match record {
            Ok(r) => r,
            Err(e) => {
                each(
                    n,
                    Err(format!(
                        "{}; the rest of the file is not read",
                        read_error(&e)
                    )),
                );
                return;
            }
        };
        let field = |h: WarcHeader| {
            header
                .headers
                .get(&h)
                .map(|v| String::from_utf8_lossy(v).trim().to_string())
        };
        if !field(WarcHeader::WarcType).is_some_and(|t| t.eq_ignore_ascii_case("response")) {
            continue;
        }
        let outcome = match response_item(field(WarcHeader::TargetURI), &body) {
            Ok(Some(item)) => Ok(item),
            Ok(None) => continue,
            Err(e) => Err(e),
        };
        if !each(n, outcome) {
            return;
        }
    }
}

fn read_error(e: &warc::Error) -> String {
    match e {
        warc::Error::ReadData(io) => format!("cannot read: {io}"),
        warc::Error::ParseHeaders(_) => "malformed WARC header".to_string(),
        other => other.to_string().trim_end_matches('.').to_string(),
    }
}

/// The item of a `response` record: `None` when its payload is not a
/// successful HTML page.
fn response_item(target: Option<String>, block: &[u8]) -> Result<Option<Item>, String> {
    let target = target.ok_or("response record without WARC-Target-URI")?;
    // WARC 1.0 writes the URI in angle brackets.
    let target = target.trim_start_matches('<').trim_end_matches('>');
    let url = Url::parse(target).map_err(|e| format!("WARC-Target-URI {target:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Ok(None);
    }
    let response = Response::parse(block)?;
    if !(200..300).contains(&response.status) {
        return Ok(None);
    }
    let content_type = response.header("content-type");
    let payload = response.payload()?;
    let html = match content_type.as_deref() {
        Some(ct) => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(mime.as_str(), "text/html" | "application/xhtml+xml")
        }
        None => looks_like_html(&payload),
    };
    if !html {
        return Ok(None);
    }
    let charset = content_type.as_deref().and_then(charset_param);
    Ok(Some(Item {
        html: Some(decode_html(&payload, charset.as_deref())),
        ..Item::article(url)
    }))
}

/// A page served without a Content-Type: HTML if it starts like HTML.
fn looks_like_html(payload: &[u8]) -> bool {
    let head = &payload[..payload.len().min(512)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head")
}

/// An HTTP response as a WARC `response` record holds it.
struct Response<'a> {
    status: u16,
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

impl<'a> Response<'a> {
    fn parse(block: &'a [u8]) -> Result<Response<'a>, String> {
        let (head, body) = match find(block, b"\r\n\r\n") {
            Some(at) => (&block[..at], &block[at + 4..]),
            None => match find(block, b"\n\n") {
                Some(at) => (&block[..at], &block[at + 2..]),
                None => return Err("the response has no end of HTTP headers".to_string()),
            },
        };
        let head = String::from_utf8_lossy(head);
        let mut lines = head.lines();
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .strip_prefix("HTTP/")
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("not an HTTP response: {:?}", truncate(status_line)))?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// The body as the server meant it: de-chunked and decompressed.
    fn payload(&self) -> Result<Vec<u8>, String> {
        let chunked = self
            .header("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            dechunk(self.body)?
        } else {
            self.body.to_vec()
        };
        match self
            .header("content-encoding")
            .map(|e| e.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("" | "identity") => Ok(body),
            Some("gzip" | "x-gzip") => {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .map_err(|e| format!("gzip content: {e}"))?;
                Ok(out)
            }
            Some("deflate") => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .map_err(|e| format!("deflate content: {e}"))?;
                Ok(out)
            }
            Some(other) => Err(format!("content encoding {other:?} is not supported")),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

/// A chunked transfer-encoded body, joined.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = find(body, b"\n").ok_or("chunked body: no chunk size")?;
        let size_line = String::from_utf8_lossy(&body[..line_end]);
        let size = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| format!("chunked body: bad chunk size {:?}", truncate(size)))?;
        body = &body[line_end + 1..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body
            .get(..size)
            .ok_or("chunked body: a chunk runs past the record")?;
        out.extend_from_slice(chunk);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WARC record as crawlers write it.
    pub(crate) fn record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
             WARC-Date: 2024-03-05T10:00:00Z\r\n\
             WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n\
             Content-Type: application/http; msgtype={kind}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn items(warc: &[u8]) -> Vec<(u64, Result<Item, String>)> {
        let mut out = Vec::new();
        read(warc, |n, r| {
            out.push((n, r));
            true
        });
        out
    }

    #[test]
    fn html_responses_are_read_and_others_skipped() {
        let page = "<html><head><title>Բարև</title></head><body><p>Տեքստ</p></body></html>";
        let cp1251 = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1251\r\n\r\n<html><body><p>\xcf\xf0\xe8\xe2\xe5\xf2</p></body></html>";
        let chunked = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n<html>\r\n7\r\n</html>\r\n0\r\n\r\n";
        let mut warc = Vec::new();
        warc.extend(record("warcinfo", "https://x.example/", b"software: test"));
        warc.extend(record(
            "request",
            "https://a.example/1",
            b"GET /1 HTTP/1.1\r\n\r\n",
        ));
        warc.extend(record(
            "response",
            "https://a.example/1",
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{page}")
                .as_bytes(),
        ));
        warc.extend(record(
            "response",
            "https://a.example/logo.png",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        warc.extend(record(
            "response",
            "https://a.example/moved",
            b"HTTP/1.1 301 Moved\r\nLocation: /1\r\n\r\n",
        ));
        warc.extend(record("response", "<https://a.example/ru>", cp1251));
        warc.extend(record(
            "response",
            "https://a.example/chunked",
            chunked.as_bytes(),
        ));
        warc.extend(record(
            "response",
            "https://a.example/sniffed",
            b"HTTP/1.0 200 OK\r\n\r\n<!DOCTYPE html><p>x</p>",
        ));
        warc.extend(record("response", "https://a.example/bad", b"garbage"));
        let got = items(&warc);
        let ok: Vec<(u64, String, String)> = got
            .iter()
            .filter_map(|(n, r)| {
                r.as_ref()
                    .ok()
                    .map(|i| (*n, i.url.to_string(), i.html.clone().unwrap_or_default()))
            })
            .collect();
        assert_eq!(ok.len(), 4, "{got:?}");
        assert_eq!(
            (ok[0].0, ok[0].1.as_str(), ok[0].2.as_str()),
            (3, "https://a.example/1", page)
        );
        assert_eq!(ok[1].1, "https://a.example/ru");
        assert!(ok[1].2.contains("Привет"), "{}", ok[1].2);
        assert_eq!(ok[2].2, "<html></html>");
        assert_eq!(ok[3].1, "https://a.example/sniffed");
        let bad: Vec<_> = got.iter().filter(|(_, r)| r.is_err()).collect();
        assert_eq!(bad.len(), 1, "{got:?}");
        assert_eq!(bad[0].0, 9);
    }

    #[test]
    fn a_broken_record_ends_the_file_with_its_number() {
        let mut warc = record(
            "response",
            "https://a.example/1",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>",
        );
        warc.extend(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nshort");
        let got = items(&warc);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].1.is_ok());
        assert_eq!(got[1].0, 2);
        assert!(
            got[1]
                .1
                .as_ref()
                .is_err_and(|e| e.contains("rest of the file")),
            "{got:?}"
        );
    }
}
