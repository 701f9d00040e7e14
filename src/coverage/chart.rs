//! Coverage charts: a [`Coverage`] drawn with plotters as stacked bars (or
//! one line per split value) over its time buckets, with dates on the x
//! axis in the count's zone, a legend of the split values with their totals
//! and shares, and a title with the query and the period. Returns the bytes
//! of an SVG or PNG file; writing them is the caller's business.
//!
//! Text is drawn in the font pressd ships (`fonts/`, Noto Sans with Armenian
//! and Georgian; see `fonts/SOURCE.md`), so labels in any of the region's
//! scripts render with no system font installed: rasterised into the PNG,
//! and embedded in the SVG as a web font its `<text>` elements use.

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::{buckets, thousands, Coverage, OTHER};

/// The size of a chart, in pixels (PNG) or user units (SVG).
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

/// One bucket's width on the x axis.
const X_UNIT: i64 = 100;

/// Most labels on the time axis: a year of months fits with room to
/// spare at this width.
const MAX_TICKS: usize = 14;

/// Up to this many buckets, bars have gaps between them and each label
/// sits under its bar.
const WIDE_BARS: usize = 60;

/// Size of the title's letters.
const TITLE_SIZE: u32 = 28;

/// Height of the band the title is written in.
const TITLE_HEIGHT: u32 = 64;

/// Width of the legend column on the right.
const LEGEND_WIDTH: u32 = 330;

/// The family name the font is registered and embedded under.
const FONT: &str = "pressd-sans";
static FONT_TTF: &[u8] = include_bytes!("fonts/NotoSans-pressd.ttf");
static FONT_WOFF2: &[u8] = include_bytes!("fonts/NotoSans-pressd.woff2");

/// Split values beyond the palette reuse it lighter; "other" is grey.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0x2F, 0x4B, 0x7C),
];
const OTHER_COLOR: RGBColor = RGBColor(0xBA, 0xB0, 0xAC);
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);

/// The file format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

/// How counts are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// One bar per bucket, the split values stacked.
    #[default]
    Bars,
    /// One line per split value.
    Lines,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart font does not load")]
    Font,
    #[error("cannot draw the chart")]
    Draw(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot encode the PNG")]
    Png(#[source] png::EncodingError),
}

fn draw_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> ChartError {
    ChartError::Draw(Box::new(e))
}

/// The chart of `coverage` as the bytes of a `format` file.
pub fn render(coverage: &Coverage, style: Style, format: Format) -> Result<Vec<u8>, ChartError> {
    register_font()?;
    match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
                draw(&root, coverage, style)?;
                root.present().map_err(draw_error)?;
            }
            Ok(embed_font(svg).into_bytes())
        }
        Format::Png => {
            let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
            {
                let root =
                    BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
                draw(&root, coverage, style)?;
                root.present().map_err(draw_error)?;
            }
            encode_png(&pixels)
        }
    }
}

fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, FONT_TTF).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

fn color(rank: usize, value: &str) -> RGBColor {
    if value == OTHER {
        return OTHER_COLOR;
    }
    let base = PALETTE[rank % PALETTE.len()];
    match rank / PALETTE.len() {
        0 => base,
        // Mixed with white, a little more for each round.
        round => {
            let lift = |c: u8| c + ((255 - c) as usize * round.min(3) / 4) as u8;
            RGBColor(lift(base.0), lift(base.1), lift(base.2))
        }
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    coverage: &Coverage,
    style: Style,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(draw_error)?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
    draw_legend(&legend, coverage)?;

    // The title starts at the left, fitted with room to spare: a viewer
    // that shows an SVG in a wider fallback font still shows its start.
    let (head, plot) = plot.split_vertically(TITLE_HEIGHT);
    let room = (WIDTH - LEGEND_WIDTH) as i32 - 2 * 24;
    let title = title(root, coverage, room * 9 / 10)?;
    head.draw(&Text::new(title, (24, 20), font(TITLE_SIZE)))
        .map_err(draw_error)?;

    let n = coverage.buckets.len();
    if n == 0 {
        plot.draw(&Text::new(
            "no dated document matches",
            (40, HEIGHT as i32 / 2 - TITLE_HEIGHT as i32),
            font(24),
        ))
        .map_err(draw_error)?;
        return Ok(());
    }

    let bounds: Vec<DateTime<Utc>> = coverage
        .buckets
        .iter()
        .map(|b| b.start.with_timezone(&Utc))
        .chain(coverage.buckets.last().map(|b| b.end.with_timezone(&Utc)))
        .collect();
    let ticks = buckets::ticks(&bounds, coverage.by, coverage.tz, MAX_TICKS);
    let labels: HashMap<usize, String> = ticks.iter().cloned().collect();
    // While bars are wide enough to tell apart, a label names its bar and
    // sits under its middle; on a long axis it marks where a month (or
    // week, or year) starts, at the left edge of that bucket.
    let tick_at = if n <= WIDE_BARS { X_UNIT / 2 } else { 0 };
    // The x axis counts hundredths of a bucket: plotters takes custom tick
    // positions on integer axes only, and bars need room for their gaps.
    let key_points: Vec<i64> = ticks
        .iter()
        .map(|(i, _)| *i as i64 * X_UNIT + tick_at)
        .collect();

    let peak = match style {
        Style::Bars => coverage.buckets.iter().map(|b| b.total).max(),
        Style::Lines => coverage
            .buckets
            .iter()
            .flat_map(|b| b.counts.0.iter().map(|(_, c)| *c))
            .max(),
    }
    .unwrap_or(0)
    .max(1);
    let top = peak + peak / 12 + 1;

    let mut chart = ChartBuilder::on(&plot)
        .margin(24)
        .margin_top(8)
        .margin_right(12)
        .x_label_area_size(64)
        .y_label_area_size(88)
        .build_cartesian_2d(
            (0..n as i64 * X_UNIT).with_key_points(key_points),
            0u64..top,
        )
        .map_err(draw_error)?;
    let x_desc = format!("{} ({})", coverage.by.as_str(), coverage.tz.name());
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .y_labels(8)
        .x_label_formatter(&|x| {
            usize::try_from((x - tick_at) / X_UNIT)
                .ok()
                .and_then(|i| labels.get(&i).cloned())
                .unwrap_or_default()
        })
        .y_label_formatter(&|y| thousands(*y))
        .label_style(font(18))
        .axis_desc_style(font(20))
        .x_desc(x_desc)
        .y_desc("articles")
        .draw()
        .map_err(draw_error)?;

    let values: Vec<&str> = coverage.totals.0.iter().map(|(v, _)| v.as_str()).collect();
    match style {
        Style::Bars => {
            // Gaps between bars only while there is room for them.
            let gap = if n <= WIDE_BARS { X_UNIT / 8 } else { 0 };
            let mut bars = Vec::new();
            for (i, bucket) in coverage.buckets.iter().enumerate() {
                let mut base = 0u64;
                for (rank, (value, count)) in bucket.counts.0.iter().enumerate() {
                    if *count == 0 {
                        continue;
                    }
                    let x = i as i64 * X_UNIT;
                    bars.push(Rectangle::new(
                        [(x + gap, base), (x + X_UNIT - gap, base + count)],
                        color(rank, value).filled(),
                    ));
                    base += count;
                }
            }
            chart.draw_series(bars).map_err(draw_error)?;
        }
        Style::Lines => {
            for (rank, value) in values.iter().enumerate() {
                let points = coverage
                    .buckets
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (i as i64 * X_UNIT + X_UNIT / 2, b.counts.get(value)));
                chart
                    .draw_series(LineSeries::new(points, color(rank, value).stroke_width(2)))
                    .map_err(draw_error)?;
            }
        }
    }
    Ok(())
}

/// "“query”: 1,234 articles by day and source, 2025-01-01 – 2025-12-31",
/// the query cut to make the whole fit in `max` pixels.
fn title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    coverage: &Coverage,
    max: i32,
) -> Result<String, ChartError>
where
    DB::ErrorType: 'static,
{
    let query = coverage.query.trim();
    let query = if query.is_empty() { "*" } else { query };
    let mut rest = format!(
        "”: {} articles by {} and {}",
        thousands(coverage.total),
        coverage.by.as_str(),
        coverage.split.as_str()
    );
    if let (Some(first), Some(last)) = (coverage.buckets.first(), coverage.buckets.last()) {
        let last_day = last.end - TimeDelta::seconds(1);
        rest.push_str(&format!(
            ", {} – {}",
            first.start.format("%Y-%m-%d"),
            last_day.format("%Y-%m-%d")
        ));
    }
    let rest_width = area
        .estimate_text_size(&format!("“{rest}"), &font(TITLE_SIZE))
        .map_err(draw_error)?
        .0;
    let room = max.saturating_sub(i32::try_from(rest_width).unwrap_or(max));
    // At least a few characters of the query, even if the rest is long.
    let query = fit(area, query, &font(TITLE_SIZE), room.max(120))?;
    fit(area, &format!("“{query}{rest}"), &font(TITLE_SIZE), max)
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    coverage: &Coverage,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    // Each value on a line of its own, its count and share below it in
    // grey: a long name (an outlet spelled out in Georgian) keeps the
    // width of the column.
    const ROW: i32 = 46;
    const TOP: i32 = 90;
    const NAME_X: i32 = 40;
    let width = LEGEND_WIDTH as i32 - NAME_X - 12;
    let mut y = TOP;
    area.draw(&Text::new(
        fit(
            area,
            &format!("{} (articles, share)", coverage.split.as_str()),
            &font(20),
            width,
        )?,
        (8, y - 40),
        font(20),
    ))
    .map_err(draw_error)?;
    let room = ((HEIGHT as i32 - TOP - 90) / ROW).max(1) as usize;
    let shown = coverage.shares.len().min(room);
    for (rank, share) in coverage.shares.iter().take(shown).enumerate() {
        area.draw(&Rectangle::new(
            [(8, y), (30, y + 22)],
            color(rank, &share.value).filled(),
        ))
        .map_err(draw_error)?;
        area.draw(&Text::new(
            fit(area, &share.value, &font(18), width)?,
            (NAME_X, y),
            font(18),
        ))
        .map_err(draw_error)?;
        area.draw(&Text::new(
            format!("{} · {:.1} %", thousands(share.count), share.share * 100.0),
            (NAME_X, y + 21),
            font(16).color(&MUTED),
        ))
        .map_err(draw_error)?;
        y += ROW;
    }
    let mut notes = Vec::new();
    if coverage.shares.len() > shown {
        notes.push(format!("… {} more", coverage.shares.len() - shown));
    }
    if coverage.undated > 0 {
        notes.push(format!(
            "{} undated, not drawn",
            thousands(coverage.undated)
        ));
    }
    if let Some(missing) = coverage.missing_langs.as_ref().filter(|m| !m.is_empty()) {
        notes.push(format!("none in: {}", missing.join(", ")));
    }
    for note in notes {
        area.draw(&Text::new(
            fit(area, &note, &font(17), LEGEND_WIDTH as i32 - 20)?,
            (8, y),
            font(17),
        ))
        .map_err(draw_error)?;
        y += 30;
    }
    Ok(())
}

/// `text`, cut with `…` to fit in `max` pixels when drawn in `style`.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max: i32,
) -> Result<String, ChartError>
where
    DB::ErrorType: 'static,
{
    let max = u32::try_from(max).unwrap_or(0);
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| w)
            .map_err(draw_error)
    };
    if width(text)? <= max {
        return Ok(text.to_string());
    }
    // The longest cut that fits: widths grow with the characters kept.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let (mut low, mut high) = (0, chars.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        let cut = format!("{}…", &text[..chars[mid].0]);
        if width(&cut)? <= max {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Ok(format!("{}…", &text[..chars[low].0]))
}

/// Puts the font into the SVG as a web font under the family name its text
/// asks for, so a browser needs nothing installed to show every script;
/// a viewer that ignores web fonts falls back to sans-serif fonts with
/// these scripts rather than to its default serif.
fn embed_font(svg: String) -> String {
    let face = format!(
        "<defs><style>@font-face{{font-family:\"{FONT}\";src:url(data:font/woff2;base64,{}) \
         format(\"woff2\");}}text{{font-family:\"{FONT}\",\"Noto Sans\",\"DejaVu Sans\",\
         sans-serif;}}</style></defs>",
        base64::engine::general_purpose::STANDARD.encode(FONT_WOFF2)
    );
    let Some(tag_end) = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| start + end + 1))
    else {
        return svg;
    };
    let mut out = String::with_capacity(svg.len() + face.len());
    out.push_str(&svg[..tag_end]);
    out.push_str(&face);
    out.push_str(&svg[tag_end..]);
    out
}

fn encode_png(pixels: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(ChartError::Png)?;
        writer.write_image_data(pixels).map_err(ChartError::Png)?;
        writer.finish().map_err(ChartError::Png)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use ab_glyph::{Font, FontRef};
    use chrono::TimeZone;
    use chrono_tz::Tz;

    use super::*;
    use crate::coverage::{Bucket, Counts, Granularity, Share, Split};

    /// Every letter of the region's scripts, as labels and queries write them.
    const LABELS: &[&str] = &[
        "Փաշինյան Երևան ԵՐԵՎԱՆ և ՙ ՚ ՛ ՜ ՝ ՞ ։ ֊ ֏",
        "ბათუმი თბილისი ᲗᲑᲘᲚᲘᲡᲘ ⴀ ₾",
        "Əliyev Gəncə Şəki Bakı İlham ığüöçşə ĞÜŞİÖÇƏ ₼",
        "Пашинян Тбилиси Ёлка ёжик Їжак Ґ № «» — –",
        "Erdoğan İstanbul Çağlayan Öz “query” ‘a’ …",
    ];

    #[test]
    fn the_font_has_a_glyph_for_every_letter_of_the_region() {
        let font = FontRef::try_from_slice(FONT_TTF).expect("font loads");
        for label in LABELS {
            for c in label.chars().filter(|c| !c.is_whitespace()) {
                assert_ne!(
                    font.glyph_id(c).0,
                    0,
                    "no glyph for {c:?} (U+{:04X})",
                    c as u32
                );
            }
        }
    }

    fn coverage(values: usize, buckets: usize) -> Coverage {
        let zone: Tz = "Asia/Baku".parse().expect("zone");
        let start = Utc
            .with_ymd_and_hms(2025, 1, 1, 20, 0, 0)
            .single()
            .expect("valid");
        let names: Vec<String> = (0..values).map(|n| format!("source-{n}")).collect();
        let buckets: Vec<Bucket> = (0..buckets)
            .map(|i| {
                let counts: Vec<(String, u64)> = names
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (v.clone(), ((i * 7 + k * 3) % 11) as u64))
                    .collect();
                Bucket {
                    start: (start + TimeDelta::days(i as i64)).with_timezone(&zone),
                    end: (start + TimeDelta::days(i as i64 + 1)).with_timezone(&zone),
                    total: counts.iter().map(|(_, c)| c).sum(),
                    counts: Counts(counts),
                }
            })
            .collect();
        let totals: Vec<(String, u64)> = names
            .iter()
            .map(|v| (v.clone(), buckets.iter().map(|b| b.counts.get(v)).sum()))
            .collect();
        let total = totals.iter().map(|(_, c)| c).sum();
        Coverage {
            query: "Փաշինյան OR თბილისი OR Əliyev OR Пашинян".into(),
            by: Granularity::Day,
            split: Split::Source,
            tz: zone,
            total,
            undated: 2,
            shares: totals
                .iter()
                .map(|(v, c)| Share {
                    value: v.clone(),
                    count: *c,
                    share: *c as f64 / total as f64,
                })
                .collect(),
            totals: Counts(totals),
            buckets,
            first: Vec::new(),
            missing_langs: None,
        }
    }

    #[test]
    fn png_is_a_png_of_the_chart_size() {
        let bytes = render(&coverage(11, 40), Style::Bars, Format::Png).expect("render");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().expect("a PNG");
        let info = reader.info();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    }

    #[test]
    fn svg_embeds_its_font_and_keeps_the_text() {
        for style in [Style::Bars, Style::Lines] {
            let bytes = render(&coverage(3, 400), style, Format::Svg).expect("render");
            let svg = String::from_utf8(bytes).expect("UTF-8");
            assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
            assert!(svg.trim_end().ends_with("</svg>"));
            assert!(svg.contains("@font-face{font-family:\"pressd-sans\""));
            assert!(svg.contains("Փաշինյան OR თბილისი OR Əliyev OR Пашинян"));
            assert!(svg.contains("source-2"));
            // A long axis is labelled at month starts.
            assert!(svg.contains(">\n2025-02\n</text>"), "{style:?}");
            assert!(!svg.contains("2025-02-01"), "{style:?}");
        }
    }

    #[test]
    fn an_empty_coverage_still_draws() {
        let mut empty = coverage(0, 0);
        empty.total = 0;
        let bytes = render(&empty, Style::Bars, Format::Png).expect("render");
        assert!(bytes.starts_with(b"\x89PNG"));
    }
}
