//! Values that hold over intervals of the day (a staffing plan's seats, the
//! offered calls, the figure achieved), drawn as steps: flat across each
//! interval, with an optional band per interval and dashed steps beside
//! them (the Erlang C seats, a target).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Draw, H, LATIN, PALETTE, Plot, R, err, family, fmt_clock, legend};

/// One interval's value: (from, to) in seconds of day, the value, and an
/// optional band (low, high).
pub type Step = (f64, f64, f64, Option<(f64, f64)>);

/// Steps over the day: solid series (one colour each, with bands where
/// given) and dashed ones: in the colour of the solid series of the same
/// index (a pool's Erlang C seats beside its plan), or in black when there
/// is one dashed series for all (a target).
pub fn step_plot(
    name: &str,
    caption: String,
    title: String,
    ylabel: &'static str,
    solid: Vec<(String, Vec<Step>)>,
    dashed: Vec<(String, Vec<Step>)>,
) -> Plot {
    let all = || solid.iter().chain(&dashed).flat_map(|(_, s)| s.iter());
    let x0 = all().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let x1 = all().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    let (x0, x1) = if x0.is_finite() && x1 > x0 {
        (x0, x1)
    } else {
        (0.0, 3600.0)
    };
    let ymax = all()
        .map(|s| s.3.map_or(s.2, |b| b.1.max(s.2)))
        .filter(|y| y.is_finite())
        .fold(1.0, f64::max)
        * 1.1;
    Plot {
        name: name.to_string(),
        caption,
        size: (800, 480),
        drawing: Box::new(StepDraw {
            title,
            ylabel,
            solid,
            dashed,
            x: (x0, x1),
            ymax,
        }),
    }
}

struct StepDraw {
    title: String,
    ylabel: &'static str,
    solid: Vec<(String, Vec<Step>)>,
    dashed: Vec<(String, Vec<Step>)>,
    x: (f64, f64),
    ymax: f64,
}

/// The corners of a step line.
fn corners(steps: &[Step]) -> Vec<(f64, f64)> {
    steps
        .iter()
        .filter(|s| s.2.is_finite())
        .flat_map(|&(a, b, y, _)| [(a / H, y), (b / H, y)])
        .collect()
}

impl Draw for StepDraw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let (x0, x1) = self.x;
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (family(&self.title), 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56)
            .build_cartesian_2d(x0 / H..x1 / H, 0f64..self.ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time of day")
            .y_desc(self.ylabel)
            .x_label_formatter(&|x| fmt_clock(*x * H))
            .x_labels(13)
            .label_style((LATIN, 14))
            .draw()
            .map_err(err)?;
        for (i, (label, steps)) in self.solid.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let bands = steps.iter().filter_map(|&(a, b, _, band)| {
                band.filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
                    .map(|(lo, hi)| Rectangle::new([(a / H, lo), (b / H, hi)], color.mix(0.2).filled()))
            });
            chart.draw_series(bands).map_err(err)?;
            chart
                .draw_series(LineSeries::new(corners(steps), color.stroke_width(2)))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        let shared = self.dashed.len() == 1 && self.solid.len() > 1;
        for (i, (label, steps)) in self.dashed.iter().enumerate() {
            let color = if shared { BLACK } else { PALETTE[i % PALETTE.len()] };
            chart
                .draw_series(DashedLineSeries::new(corners(steps), 6, 4, color.stroke_width(1)))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(1)));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}
