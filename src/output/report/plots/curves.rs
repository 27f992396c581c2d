//! Curves against each other on one chart (an empirical CDF and a fitted
//! one, a Kaplan–Meier curve and fitted survival curves): solid lines, and
//! dashed ones for the estimates set beside them.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Draw, LATIN, PALETTE, Plot, R, err, family, legend};

/// A labelled curve: (label, points, dashed).
pub type Curve = (String, Vec<(f64, f64)>, bool);

/// Curves on a chart from 0 to `xmax` and from 0 to 1.
pub fn curve_plot(
    name: &str,
    caption: String,
    title: String,
    labels: (&'static str, &'static str),
    curves: Vec<Curve>,
) -> Plot {
    let xmax = curves
        .iter()
        .flat_map(|c| c.1.iter().map(|p| p.0))
        .filter(|x| x.is_finite())
        .fold(1.0, f64::max);
    Plot {
        name: name.to_string(),
        caption,
        size: (800, 480),
        drawing: Box::new(CurveDraw {
            title,
            labels,
            xmax,
            curves,
        }),
    }
}

struct CurveDraw {
    title: String,
    labels: (&'static str, &'static str),
    xmax: f64,
    curves: Vec<Curve>,
}

impl Draw for CurveDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (family(&self.title), 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..self.xmax, 0f64..1f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(self.labels.0)
            .y_desc(self.labels.1)
            .label_style((LATIN, 14))
            .draw()
            .map_err(err)?;
        for (i, (label, pts, dashed)) in self.curves.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let style = color.stroke_width(2);
            let series = if *dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts.iter().copied(), 6, 4, style))
                    .map_err(err)?
            } else {
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), style))
                    .map_err(err)?
            };
            series
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}
