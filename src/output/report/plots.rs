//! The report's plots, drawn with plotters as SVG (text left to the viewer's
//! fonts, so Chinese shows) and PNG (text rendered from the bundled DejaVu
//! Sans and WenQuanYi Micro Hei fonts, so no system font is needed).

use std::path::Path;
use std::sync::Once;

mod bars;
mod curves;
mod simulation;
mod steps;
mod sweep;

pub use bars::{bar_plot, shares_plot};
pub use curves::{Curve, curve_plot};
pub use simulation::simulation_plots;
pub use steps::{Step, step_plot};
pub use sweep::{SweepLine, sweep_plot};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::menu::{Hotline, Kind};
use crate::output::graph::Route;
use crate::sim::Series;
use crate::sim::stats::{Hist, bin_edges};

/// Latin text.
const LATIN: &str = "DejaVu Sans, sans-serif";
/// Text with CJK characters.
const CJK: &str = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif";

static FONTS: Once = Once::new();

/// Registers the bundled fonts with plotters (once per process).
pub fn register_fonts() {
    FONTS.call_once(|| {
        let dejavu: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        let cjk: &'static [u8] = include_bytes!("../../../assets/fonts/wqy-microhei.ttc");
        // Both are valid TrueType files shipped with the crate.
        let _ = plotters::style::register_font(LATIN, FontStyle::Normal, dejavu);
        let _ = plotters::style::register_font(CJK, FontStyle::Normal, cjk);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu);
    });
}

/// The font family for a text: the CJK font when it has wide characters.
pub fn family(text: &str) -> &'static str {
    if text.chars().any(crate::diag::is_wide) {
        CJK
    } else {
        LATIN
    }
}

/// Something drawn the same way on any plotters backend.
trait Draw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()>;
}

/// [`Draw`] for the two backends a report uses (object safe).
trait DrawBoth: Send + Sync {
    fn svg(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> R<()>;
    fn png(&self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> R<()>;
}

impl<T: Draw + Send + Sync> DrawBoth for T {
    fn svg(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> R<()> {
        self.draw(root)
    }
    fn png(&self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> R<()> {
        self.draw(root)
    }
}

/// One plot: file stem, caption, and how to draw it.
pub struct Plot {
    /// File name without extension.
    pub name: String,
    /// One line saying what it shows.
    pub caption: String,
    /// Size in pixels.
    pub size: (u32, u32),
    drawing: Box<dyn DrawBoth>,
}

impl Plot {
    /// The plot as SVG text.
    pub fn svg(&self) -> Result<String, String> {
        register_fonts();
        let mut s = String::new();
        {
            let root = SVGBackend::with_string(&mut s, self.size).into_drawing_area();
            self.drawing.svg(&root)?;
            root.present().map_err(|e| e.to_string())?;
        }
        // Names may hold characters XML forbids (a control character in a
        // hotline's name): shown escaped, so the SVG stays valid.
        Ok(crate::escape::xml(&s).into_owned())
    }

    /// Writes the plot as a PNG file.
    pub fn png(&self, path: &Path) -> Result<(), String> {
        register_fonts();
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        self.drawing.png(&root)?;
        root.present().map_err(|e| e.to_string())
    }
}

type R<T> = Result<T, String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

const BLUE_: RGBColor = RGBColor(31, 119, 180);
const ORANGE_: RGBColor = RGBColor(255, 127, 14);
const GREEN_: RGBColor = RGBColor(44, 160, 44);
const RED_: RGBColor = RGBColor(214, 39, 40);
const PURPLE_: RGBColor = RGBColor(148, 103, 189);
const GREY_: RGBColor = RGBColor(127, 127, 127);
/// Colours for series, in order.
pub const PALETTE: [RGBColor; 6] = [BLUE_, ORANGE_, GREEN_, RED_, PURPLE_, GREY_];

/// Draws the series labels of a chart in a framed box.
fn legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> R<()> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((CJK, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

/// Points of an empirical CDF from a histogram, up to `xmax`.
pub fn cdf_points(h: &Hist, xmax: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(0.0, 0.0)];
    if h.total == 0 {
        return pts;
    }
    let mut seen = 0u64;
    for (b, &c) in h.counts.iter().enumerate() {
        let (lo, w) = bin_edges(b);
        if lo > xmax {
            break;
        }
        seen += c;
        pts.push(((lo + w).min(xmax), seen as f64 / h.total as f64));
    }
    pts
}

/// Seconds in an hour.
const H: f64 = 3600.0;

fn fmt_clock(secs: f64) -> String {
    let s = secs.rem_euclid(86400.0) as u32;
    format!("{:02}:{:02}", s / 3600, s / 60 % 60)
}

/// The x range of wait plots: the 99th percentile of the longest series, at least a minute.
fn wait_range(hists: &[&Hist]) -> f64 {
    hists
        .iter()
        .map(|h| h.quantile(0.99))
        .filter(|x| x.is_finite())
        .fold(60.0, f64::max)
        .ceil()
}

/// CDFs of several labelled histograms on one chart.
pub fn cdf_plot(name: &str, caption: String, title: String, xlabel: &'static str, series: Vec<(String, Hist)>) -> Plot {
    let xmax = wait_range(&series.iter().map(|(_, h)| h).collect::<Vec<_>>());
    let lines: Vec<(String, Vec<(f64, f64)>)> = series.iter().map(|(l, h)| (l.clone(), cdf_points(h, xmax))).collect();
    let drawing = CdfDraw {
        title,
        xlabel,
        xmax,
        lines,
    };
    Plot {
        name: name.to_string(),
        caption,
        size: (800, 480),
        drawing: Box::new(drawing),
    }
}

struct CdfDraw {
    title: String,
    xlabel: &'static str,
    xmax: f64,
    lines: Vec<(String, Vec<(f64, f64)>)>,
}

impl Draw for CdfDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let CdfDraw {
            title,
            xlabel,
            xmax,
            lines,
        } = self;
        let (xlabel, xmax) = (*xlabel, *xmax);
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (family(title), 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..xmax, 0f64..1f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(xlabel)
            .y_desc("share of calls at or below")
            .label_style((LATIN, 14))
            .draw()
            .map_err(err)?;
        for (i, (label, pts)) in lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

/// Mean lines with 95% bands over the day, one per labelled series, and
/// optional dashed reference lines.
pub fn day_plot(
    name: &str,
    caption: String,
    title: String,
    ylabel: &'static str,
    series: Vec<(String, Series)>,
    dashed: Vec<(String, Vec<(f64, f64)>)>,
) -> Plot {
    let x0 = series
        .iter()
        .flat_map(|(_, s)| s.clock.first().copied())
        .fold(f64::INFINITY, f64::min);
    let x1 = series
        .iter()
        .flat_map(|(_, s)| s.clock.last().copied())
        .fold(f64::NEG_INFINITY, f64::max)
        + 300.0;
    let (x0, x1) = if x0.is_finite() && x1 > x0 {
        (x0, x1)
    } else {
        (0.0, 3600.0)
    };
    let ymax = series
        .iter()
        .flat_map(|(_, s)| s.hi.iter().copied())
        .chain(dashed.iter().flat_map(|(_, d)| d.iter().map(|p| p.1)))
        .fold(1.0, f64::max)
        * 1.1;
    let drawing = DayDraw {
        title,
        ylabel,
        series,
        dashed,
        x0,
        x1,
        ymax,
    };
    Plot {
        name: name.to_string(),
        caption,
        size: (800, 480),
        drawing: Box::new(drawing),
    }
}

struct DayDraw {
    title: String,
    ylabel: &'static str,
    series: Vec<(String, Series)>,
    dashed: Vec<(String, Vec<(f64, f64)>)>,
    x0: f64,
    x1: f64,
    ymax: f64,
}

impl Draw for DayDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let DayDraw {
            title,
            ylabel,
            series,
            dashed,
            x0,
            x1,
            ymax,
        } = self;
        let (ylabel, x0, x1, ymax) = (*ylabel, *x0, *x1, *ymax);
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (family(title), 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56)
            // The x axis counts hours, so its ticks fall on whole hours.
            .build_cartesian_2d(x0 / H..x1 / H, 0f64..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time of day")
            .y_desc(ylabel)
            .x_label_formatter(&|x| fmt_clock(*x * H))
            // Up to 13 labels: every hour of a working day, every 2 hours
            // of a whole one.
            .x_labels(13)
            .label_style((LATIN, 14))
            .draw()
            .map_err(err)?;
        for (i, (label, s)) in series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            // Each point sits in the middle of its 5-minute bin.
            let at = |x: &f64| (x + 150.0) / H;
            let mut band: Vec<(f64, f64)> = s.clock.iter().zip(&s.lo).map(|(x, y)| (at(x), *y)).collect();
            band.extend(s.clock.iter().zip(&s.hi).rev().map(|(x, y)| (at(x), *y)));
            if band.len() > 2 {
                chart
                    .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))
                    .map_err(err)?;
            }
            chart
                .draw_series(LineSeries::new(
                    s.clock.iter().zip(&s.mean).map(|(x, y)| (at(x), *y)),
                    color.stroke_width(2),
                ))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        for (i, (label, pts)) in dashed.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(DashedLineSeries::new(
                    pts.iter().map(|&(x, y)| (x / H, y)),
                    6,
                    4,
                    color.stroke_width(1),
                ))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(1)));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Layered layout of the menu: layer = fewest transitions from the entry.
pub fn layout(h: &Hotline) -> Vec<(usize, usize)> {
    let g = h.graph();
    let n = g.node_count();
    let mut layer = vec![usize::MAX; n];
    let mut order = vec![h.entry];
    layer[h.entry.index()] = 0;
    let mut head = 0;
    while head < order.len() {
        let v = order[head];
        head += 1;
        for (_, to, _) in h.out(v) {
            if layer[to.index()] == usize::MAX {
                layer[to.index()] = layer[v.index()] + 1;
                order.push(to);
            }
        }
    }
    let deepest = layer.iter().filter(|&&l| l != usize::MAX).max().copied().unwrap_or(0);
    for l in &mut layer {
        if *l == usize::MAX {
            *l = deepest + 1;
        }
    }
    let mut pos = vec![(0, 0); n];
    let mut counts = vec![0usize; deepest + 2];
    let mut visit: Vec<usize> = order.iter().map(|v| v.index()).collect();
    let mut seen = vec![false; n];
    for &i in &visit {
        seen[i] = true;
    }
    visit.extend((0..n).filter(|&i| !seen[i]));
    for i in visit {
        pos[i] = (layer[i], counts[layer[i]]);
        counts[layer[i]] += 1;
    }
    pos
}

fn kind_color(k: &Kind) -> RGBColor {
    match k {
        Kind::Prompt => RGBColor(230, 230, 245),
        Kind::Menu(_) | Kind::Speech(_) => RGBColor(205, 222, 245),
        Kind::SelfService { .. } => RGBColor(235, 225, 245),
        Kind::Branch => RGBColor(250, 240, 200),
        Kind::Queue(_) => RGBColor(200, 240, 200),
        Kind::Online(_) => RGBColor(253, 232, 200),
        Kind::Hangup => RGBColor(225, 225, 225),
    }
}

/// Most levels of the menu drawn.
pub const MAX_LEVELS: usize = 24;
/// Most nodes of one level drawn.
pub const MAX_PER_LEVEL: usize = 16;

/// The menu drawn as a layered graph, the route to a human in red. A large
/// menu is drawn in part (its first [`MAX_LEVELS`] levels, [`MAX_PER_LEVEL`]
/// nodes a level), with the number of nodes left out in the title, so the
/// picture stays under about 2,800 × 2,500 pixels.
pub fn menu_plot(h: &Hotline, caption: String) -> Plot {
    let all = layout(h);
    let g = h.graph();
    let drawn: Vec<bool> = all.iter().map(|&(l, k)| l < MAX_LEVELS && k < MAX_PER_LEVEL).collect();
    let left_out = drawn.iter().filter(|d| !**d).count();
    let pos: Vec<(usize, usize)> = all
        .iter()
        .map(|&(l, k)| (l.min(MAX_LEVELS - 1), k.min(MAX_PER_LEVEL - 1)))
        .collect();
    let layers = pos
        .iter()
        .zip(&drawn)
        .filter(|(_, d)| **d)
        .map(|(p, _)| p.0)
        .max()
        .unwrap_or(0)
        + 1;
    let widest = (0..layers)
        .map(|l| pos.iter().zip(&drawn).filter(|(p, d)| **d && p.0 == l).count())
        .max()
        .unwrap_or(1);
    let (bw, bh, gap_x, gap_y) = (150i32, 44i32, 24i32, 56i32);
    let width = (widest as i32 * (bw + gap_x) + gap_x).max(600);
    let height = layers as i32 * (bh + gap_y) + gap_y + 40;
    let route = Route::to_human(h);
    let nodes: Vec<(String, String, RGBColor, bool)> = g
        .node_indices()
        .map(|n| {
            let node = &g[n];
            let mut label = node.display().to_string();
            if label.chars().count() > 18 {
                label = label.chars().take(17).collect::<String>() + "…";
            }
            (
                label,
                node.kind.name().replace('_', " "),
                kind_color(&node.kind),
                route.nodes.contains(&n),
            )
        })
        .collect();
    let edges: Vec<(usize, usize, bool)> = g
        .edge_indices()
        .filter_map(|e| {
            g.edge_endpoints(e)
                .map(|(a, b)| (a.index(), b.index(), route.has_edge(e)))
        })
        .filter(|&(a, b, _)| drawn[a] && drawn[b])
        .collect();
    let mut per_layer = vec![0usize; layers];
    for (p, _) in pos.iter().zip(&drawn).filter(|(_, d)| **d) {
        per_layer[p.0] += 1;
    }
    let title = if left_out > 0 {
        format!("{} ({left_out} of {} nodes not drawn)", h.name, pos.len())
    } else {
        h.name.clone()
    };
    let centers: Vec<(i32, i32)> = (0..pos.len())
        .map(|i| {
            let (l, k) = pos[i];
            let row = per_layer[l] as i32;
            let x0 = (width - row * (bw + gap_x) + gap_x) / 2;
            (
                x0 + k as i32 * (bw + gap_x) + bw / 2,
                50 + l as i32 * (bh + gap_y) + bh / 2,
            )
        })
        .collect();
    let nodes = nodes
        .into_iter()
        .zip(&drawn)
        .map(|(n, &d)| if d { Some(n) } else { None })
        .collect();
    let drawing = MenuDraw {
        title,
        nodes,
        edges,
        centers,
        bw,
        bh,
    };
    Plot {
        name: "menu".into(),
        caption,
        size: (width as u32, height as u32),
        drawing: Box::new(drawing),
    }
}

/// A node as drawn: label, kind, colour, on the route; `None`: not drawn.
type DrawnNode = Option<(String, String, RGBColor, bool)>;

struct MenuDraw {
    title: String,
    nodes: Vec<DrawnNode>,
    edges: Vec<(usize, usize, bool)>,
    centers: Vec<(i32, i32)>,
    bw: i32,
    bh: i32,
}

impl Draw for MenuDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let MenuDraw {
            title,
            nodes,
            edges,
            centers,
            bw,
            bh,
        } = self;
        let (bw, bh) = (*bw, *bh);
        let center = |i: usize| centers[i];
        root.fill(&WHITE).map_err(err)?;
        root.draw(&Text::new(title.clone(), (12, 12), (family(title), 20).into_font()))
            .map_err(err)?;
        for &(a, b, on) in edges.iter() {
            let (x1, y1) = center(a);
            let (x2, y2) = center(b);
            let style = if on {
                RED_.stroke_width(3)
            } else {
                RGBColor(150, 150, 150).stroke_width(1)
            };
            let (sy, ty) = if y2 > y1 {
                (y1 + bh / 2, y2 - bh / 2)
            } else if y2 < y1 {
                (y1 - bh / 2, y2 + bh / 2)
            } else {
                (y1, y2)
            };
            let (sx, tx) = if y2 == y1 {
                (x1 + bw / 2 * (x2 - x1).signum(), x2 - bw / 2 * (x2 - x1).signum())
            } else {
                (x1, x2)
            };
            if a == b {
                root.draw(&PathElement::new(
                    vec![
                        (x1 + bw / 2, y1),
                        (x1 + bw / 2 + 12, y1 - 10),
                        (x1 + bw / 2 + 12, y1 + 10),
                        (x1 + bw / 2, y1),
                    ],
                    style,
                ))
                .map_err(err)?;
                continue;
            }
            root.draw(&PathElement::new(vec![(sx, sy), (tx, ty)], style))
                .map_err(err)?;
            // Arrowhead.
            let (dx, dy) = ((tx - sx) as f64, (ty - sy) as f64);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            let p = |a: f64, b: f64| {
                (
                    (tx as f64 - ux * a + uy * b) as i32,
                    (ty as f64 - uy * a - ux * b) as i32,
                )
            };
            let color = if on { RED_ } else { RGBColor(150, 150, 150) };
            root.draw(&Polygon::new(vec![(tx, ty), p(9.0, 4.0), p(9.0, -4.0)], color.filled()))
                .map_err(err)?;
        }
        for (i, (label, kind, color, on)) in nodes.iter().enumerate().filter_map(|(i, n)| Some((i, n.as_ref()?))) {
            let (x, y) = center(i);
            let rect = [(x - bw / 2, y - bh / 2), (x + bw / 2, y + bh / 2)];
            root.draw(&Rectangle::new(rect, color.filled())).map_err(err)?;
            let border = if *on {
                RED_.stroke_width(3)
            } else {
                RGBColor(90, 90, 90).stroke_width(1)
            };
            root.draw(&Rectangle::new(rect, border)).map_err(err)?;
            let style = TextStyle::from((family(label), 14).into_font()).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
            root.draw(&Text::new(label.clone(), (x, y - 7), style.clone()))
                .map_err(err)?;
            let small =
                (LATIN, 11)
                    .into_font()
                    .color(&RGBColor(80, 80, 80))
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ));
            root.draw(&Text::new(kind.clone(), (x, y + 10), small)).map_err(err)?;
        }
        Ok(())
    }
}
