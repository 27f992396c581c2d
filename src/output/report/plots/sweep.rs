//! A metric against a swept value: the mean at each point with its 95%
//! band, one line per combination of the other swept values.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Draw, PALETTE, Plot, R, err, family, legend};

/// One line of a sweep plot: its label and (x, mean, low, high) points.
pub type SweepLine = (String, Vec<(f64, f64, f64, f64)>);

/// A metric against the swept value, with bands. `ticks`: labels for the
/// x positions when the values are not numbers.
pub fn sweep_plot(
    name: &str,
    caption: String,
    title: String,
    xlabel: String,
    lines: Vec<SweepLine>,
    ticks: Option<Vec<String>>,
    percent: bool,
) -> Plot {
    let xs = lines.iter().flat_map(|(_, p)| p.iter().map(|q| q.0));
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let (x0, x1) = if x0.is_finite() && x1 > x0 {
        let pad = (x1 - x0) * 0.03;
        (x0 - pad, x1 + pad)
    } else if x0.is_finite() {
        (x0 - 1.0, x0 + 1.0)
    } else {
        (0.0, 1.0)
    };
    let hi = lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.3))
        .filter(|y| y.is_finite())
        .fold(0.0, f64::max);
    let ymax = if percent { 1.0f64.max(hi) } else { (hi * 1.1).max(1e-9) };
    Plot {
        name: name.to_string(),
        caption,
        size: (800, 460),
        drawing: Box::new(SweepDraw {
            title,
            xlabel,
            lines,
            ticks,
            percent,
            x: (x0, x1),
            ymax,
        }),
    }
}

struct SweepDraw {
    title: String,
    xlabel: String,
    lines: Vec<SweepLine>,
    ticks: Option<Vec<String>>,
    percent: bool,
    x: (f64, f64),
    ymax: f64,
}

impl Draw for SweepDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (family(&self.title), 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(self.x.0..self.x.1, 0f64..self.ymax)
            .map_err(err)?;
        let percent = self.percent;
        let ticks = self.ticks.clone();
        let xfmt = move |x: &f64| match &ticks {
            Some(t) => {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    t.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            None => crate::menu::value::trim_float((x * 1e6).round() / 1e6),
        };
        chart
            .configure_mesh()
            .x_desc(self.xlabel.clone())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&|y| {
                if percent {
                    format!("{:.0}%", y * 100.0)
                } else {
                    crate::menu::value::trim_float((y * 1000.0).round() / 1000.0)
                }
            })
            .label_style((family(&self.xlabel), 14))
            .draw()
            .map_err(err)?;
        for (i, (label, pts)) in self.lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let pts: Vec<_> = pts.iter().filter(|p| p.1.is_finite()).copied().collect();
            let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.2)).collect();
            band.extend(pts.iter().rev().map(|p| (p.0, p.3)));
            if band.len() > 2 {
                chart
                    .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled())))
                    .map_err(err)?;
            }
            chart
                .draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            chart
                .draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 3, color.filled())))
                .map_err(err)?;
        }
        if self.lines.len() > 1 || !self.lines.iter().all(|(l, _)| l.is_empty()) {
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    }
}
