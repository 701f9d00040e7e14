//! Issue 12: a full disk is an error you can see, not a hang. The index and
//! the state store live on a small tmpfs that is filled up; `run --once`
//! must end within seconds with the path and the cause, the daemon must
//! show the fault (STATUS-like log, `/healthz`, `pressd sources`) and carry
//! on by itself once space is freed, and nothing is lost either way.
//!
//! Mounting a tmpfs needs root: elsewhere these tests skip with a notice.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{text, wait_until, Daemon, Deployment, World};

/// What is left free on an index volume once it is filled: not enough for
/// one new segment (a handful of files of at least a page each).
const INDEX_LEFT_FREE: u64 = 16 * 1024;

/// What is left on a state volume: enough to open the store (its 32 KiB
/// shared-memory index), not enough to queue a round of items.
const STATE_LEFT_FREE: u64 = 64 * 1024;

/// A tmpfs mounted on `dir/vol`, unmounted when dropped.
struct Volume {
    path: PathBuf,
    filler: PathBuf,
}

impl Volume {
    /// `None` (with a notice) where a tmpfs cannot be mounted.
    fn mount(dir: &Path) -> Option<Volume> {
        let path = dir.join("vol");
        std::fs::create_dir_all(&path).expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
            .arg(&path)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !mounted {
            eprintln!("skipping: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(Volume {
            filler: path.join("filler"),
            path,
        })
    }

    /// Fill the volume up, leaving `left` bytes.
    fn fill(&self, left: u64) {
        let mut f = File::create(&self.filler).expect("filler");
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        // What was partly written may be in the file; its length is what
        // the volume holds.
        let len = f.metadata().expect("filler size").len();
        f.set_len(len.saturating_sub(left)).expect("free a little");
        f.sync_all().ok();
    }

    fn free(&self) {
        std::fs::remove_file(&self.filler).expect("remove filler");
    }
}

impl Drop for Volume {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// A deployment whose index or state (`store`: "index" or "state") lives
/// on the volume, created (empty) before it is filled, so that the daemon
/// starts and the writes fail.
fn deployment_on_volume(world: &World, store: &str, extra: &str) -> Option<(Deployment, Volume)> {
    let dep = Deployment::new("");
    let vol = Volume::mount(dep.dir.path())?;
    let config = std::fs::read_to_string(&dep.config).expect("config");
    let config = config.replace(
        &format!("{store}_dir = \"{store}\""),
        &format!("{store}_dir = \"vol/{store}\""),
    );
    std::fs::write(&dep.config, &config).expect("config");
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    let mut f = OpenOptions::new()
        .append(true)
        .open(&dep.config)
        .expect("config");
    write!(f, "\n{extra}\n{}", world.healthy_sources()).expect("sources");
    Some((dep, vol))
}

/// `run --once` with `store` on a full volume: a quick failure that names
/// the path and the cause, then a clean run once space is back.
async fn run_once_on_a_full(store: &str, left: u64) {
    let world = World::start().await;
    let Some((dep, vol)) = deployment_on_volume(&world, store, "") else {
        return;
    };
    vol.fill(left);
    let started = Instant::now();
    let mut child = dep
        .cmd()
        .args(["run", "--once"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("`run --once` on a full {store} volume did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    let took = started.elapsed();
    let said = text(&out);
    assert!(!out.status.success(), "must fail:\n{said}");
    let last = said.lines().last().unwrap_or_default();
    assert!(
        last.contains("No space left on device") || last.contains("disk is full"),
        "the cause is named: {last}\n{said}"
    );
    assert!(
        last.contains(&vol.path.join(store).display().to_string()),
        "the path is named: {last}"
    );
    eprintln!("`run --once` on a full {store} volume ended in {took:?}: {last}");

    // Space back: the next run indexes everything, once.
    vol.free();
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    let all = dep.search(&["*"]);
    assert_eq!(all["total"], world.pages.len(), "{}", text(&out));
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        dep.search(&["*"])["total"],
        world.pages.len(),
        "no duplicates"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn run_once_with_a_full_index_volume_fails_fast_and_loses_nothing() {
    run_once_on_a_full("index", INDEX_LEFT_FREE).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn run_once_with_a_full_state_volume_fails_fast_and_loses_nothing() {
    run_once_on_a_full("state", STATE_LEFT_FREE).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_shows_a_full_disk_and_resumes_when_space_returns() {
    let world = World::start().await;
    let Some((dep, vol)) =
        deployment_on_volume(&world, "index", "[metrics]\nlisten = \"127.0.0.1:0\"\n")
    else {
        return;
    };
    vol.fill(INDEX_LEFT_FREE);
    let daemon = Daemon::start(&dep, &[]);
    let mut base = None;
    assert!(
        wait_until(Duration::from_secs(20), || {
            base = daemon.log().lines().find_map(|l| {
                let rest = l.split("metrics listening").nth(1)?;
                let addr = rest.split("addr=").nth(1)?.split_whitespace().next()?;
                Some(format!("http://{addr}"))
            });
            base.is_some()
        })
        .await,
        "no metrics address logged:\n{}",
        daemon.log()
    );
    let base = base.unwrap_or_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let healthz = || async {
        match client.get(format!("{base}/healthz")).send().await {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(_) => (0, String::new()),
        }
    };

    // The fault is shown: /healthz, the log, `pressd sources`.
    let start = Instant::now();
    let mut last = (0, String::new());
    while start.elapsed() < Duration::from_secs(60) {
        last = healthz().await;
        if last.0 == 503 && last.1.contains("storage fault") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(last.0, 503, "{}\n{}", last.1, daemon.log());
    assert!(
        last.1.contains("No space left on device") || last.1.contains("disk is full"),
        "{}",
        last.1
    );
    assert!(daemon.log().contains("storage fault"), "{}", daemon.log());
    let out = dep.run(&["sources"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("STORAGE FAULT"), "{said}");
    assert!(
        said.contains("No space left on device") || said.contains("disk is full"),
        "{said}"
    );

    // Space back: it carries on by itself and indexes everything.
    vol.free();
    let start = Instant::now();
    let mut total = serde_json::Value::Null;
    while start.elapsed() < Duration::from_secs(90) {
        total = dep.search(&["*"])["total"].clone();
        if total == world.pages.len() && healthz().await.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(total, world.pages.len(), "{}", daemon.log());
    assert_eq!(healthz().await.0, 200, "{}", daemon.log());
    let out = dep.run(&["sources"]);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("STORAGE FAULT"),
        "{}",
        text(&out)
    );
    daemon.stop();
}
