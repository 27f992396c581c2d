//! Call records: `hotline.fit` and what `fit` and `Menu.backtest` give back.

use pyo3::prelude::*;

use super::*;

pub(crate) fn fit_interval(text: &str) -> PyResult<f64> {
    let secs = hotline::menu::value::Duration::parse(text)
        .map_err(PyValueError::new_err)?
        .secs();
    if !(60.0..=86400.0).contains(&secs) {
        return Err(PyValueError::new_err(format!("interval {text}: from 1m to 24h")));
    }
    Ok(secs)
}

/// A caller model from call records (Asterisk queue_log, Amazon Connect
/// contact records, the generic CSV): `hotline fit`. `mapping` maps queue
/// names of the records to pools of the menu.
#[pyfunction]
#[pyo3(signature = (records, *, interval = "30m", mapping = None, menu = None))]
pub(crate) fn fit(
    records: Vec<std::path::PathBuf>,
    interval: &str,
    mapping: Option<std::collections::BTreeMap<String, String>>,
    menu: Option<PyRef<'_, Menu>>,
) -> PyResult<Fit> {
    let paths: Vec<&std::path::Path> = records.iter().map(|p| p.as_path()).collect();
    if paths.is_empty() {
        return Err(PyValueError::new_err("no record files given"));
    }
    let o = hotline::fit::FitOptions {
        interval: fit_interval(interval)?,
        map: mapping.unwrap_or_default().into_iter().collect(),
        menu: menu.map(|m| Arc::new(m.0.hotline.clone())),
        ..Default::default()
    };
    let r = hotline::fit::fit_files(&paths, &o).map_err(library_error)?;
    Ok(Fit {
        json: hotline::escape::json_text(&r),
        overlay: hotline::fit::overlay(&r),
    })
}

#[pymethods]
impl Fit {
    /// The day profile: one row per interval (`from`, `to`, `rate_per_h`,
    /// `ci95_low`, `ci95_high`, `calls`): a DataFrame with pandas, else a
    /// list of dicts.
    #[getter]
    fn arrivals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("profile", (all.get_item("arrivals")?.get_item("profile")?,))
    }

    /// One row per queue (`queue`, `pool`, `calls`, `answered`, `abandoned`,
    /// `handle_time`, `handle_mean_s`, `patience`, `patience_mean_s`,
    /// `naive_patience_s`, `censored`): a DataFrame with pandas, else a
    /// list of dicts.
    #[getter]
    fn queues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("fit_queues", (all.get_item("queues")?,))
    }

    /// Seats logged in by interval (a queue_log with member events): one
    /// row per queue and interval (`queue`, `pool`, `from`, `to`, `seats`).
    #[getter]
    fn seats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("fit_seats", (all.get_item("seats")?,))
    }

    /// Key shares from the records' paths walked on `menu`: one row per
    /// node and option (`node`, `key`, `to`, `count`, `share`).
    #[getter]
    fn shares<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("fit_shares", (all.get_item("paths")?,))
    }

    /// Day-to-day variation of the arrival rates beyond Poisson.
    #[getter]
    fn rate_variation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)?
            .get_item("arrivals")?
            .get_item("rate_variation")
    }

    /// The warnings (bad lines, too few data).
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)?.get_item("warnings")
    }

    /// The estimates as an overlay in the menu's syntax (what `--write` writes).
    fn overlay(&self) -> String {
        self.overlay.clone()
    }

    /// Everything as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)
    }

    /// Exactly what `hotline fit --format json` prints.
    fn to_json(&self) -> String {
        self.json.clone()
    }
}

#[pymethods]
impl Backtest {
    /// One row per interval and metric (`from`, `to`, `metric`, `logged`,
    /// `simulated`, `ci95_low`, `ci95_high`, `inside`): a DataFrame with
    /// pandas, else a list of dicts.
    #[getter]
    fn intervals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("backtest", (all.get_item("intervals")?,))
    }

    /// Share of comparisons inside their band.
    #[getter]
    fn inside_share<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)?.get_item("inside_share")
    }

    /// Everything as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)
    }

    /// Exactly what `hotline backtest --format json` prints.
    fn to_json(&self) -> String {
        self.json.clone()
    }
}
