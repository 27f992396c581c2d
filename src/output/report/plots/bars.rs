//! Horizontal bars of shares: outcomes, designs side by side, a survey's
//! headline and distributions.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::*;

/// Horizontal bars of shares of callers, one group per labelled design.
pub fn bar_plot(
    name: &str,
    caption: String,
    title: String,
    categories: Vec<String>,
    groups: Vec<(String, Vec<f64>)>,
) -> Plot {
    shares_plot(name, caption, title, "share of callers", categories, groups)
}

/// Horizontal bars of shares of `what` (the axis's label).
pub fn shares_plot(
    name: &str,
    caption: String,
    title: String,
    what: &'static str,
    categories: Vec<String>,
    groups: Vec<(String, Vec<f64>)>,
) -> Plot {
    let n = categories.len();
    let height = 120 + 34 * n as u32 * groups.len().max(1) as u32;
    let drawing = BarDraw {
        title,
        what,
        categories,
        groups,
    };
    Plot {
        name: name.to_string(),
        caption,
        size: (800, height),
        drawing: Box::new(drawing),
    }
}

struct BarDraw {
    title: String,
    what: &'static str,
    categories: Vec<String>,
    groups: Vec<(String, Vec<f64>)>,
}

impl Draw for BarDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let BarDraw {
            title,
            what,
            categories,
            groups,
        } = self;
        let n = categories.len();
        root.fill(&WHITE).map_err(err)?;
        let g = groups.len().max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (family(title), 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(10)
            .build_cartesian_2d(0f64..1.0, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc(*what)
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .label_style((LATIN, 14))
            .draw()
            .map_err(err)?;
        for (gi, (label, values)) in groups.iter().enumerate() {
            let color = PALETTE[gi % PALETTE.len()];
            let bars = values.iter().enumerate().map(|(i, v)| {
                let top = n as f64 - i as f64 - 0.1 - 0.8 * gi as f64 / g;
                let bottom = top - 0.8 / g;
                Rectangle::new([(0.0, bottom), (v.clamp(0.0, 1.0), top)], color.filled())
            });
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
            let texts = values.iter().enumerate().map(|(i, v)| {
                let y = n as f64 - i as f64 - 0.1 - 0.8 * (gi as f64 + 0.5) / g;
                let text = if gi == 0 {
                    format!("{}: {:.1}%", categories[i], v * 100.0)
                } else {
                    format!("{:.1}%", v * 100.0)
                };
                Text::new(text, ((v + 0.01).min(0.75), y + 0.12), (LATIN, 13).into_font())
            });
            chart.draw_series(texts).map_err(err)?;
        }
        if groups.len() > 1 {
            legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    }
}
