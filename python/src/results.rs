//! What a simulation, a staffing search and a sweep give back to Python.

use pyo3::prelude::*;

use super::*;

#[pymethods]
impl SimResult {
    /// Top-level metrics: a DataFrame (index `metric`; columns `mean`,
    /// `ci95_low`, `ci95_high`, `n`) with pandas, else a dict.
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        frame(py, "metrics", all.get_item("metrics")?)
    }

    /// Metrics per queue node: a DataFrame indexed by (`queue`, `metric`)
    /// with pandas, else a dict of dicts.
    #[getter]
    fn queues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("scoped", (all.get_item("queues")?, "queue"))
    }

    /// Metrics per caller segment, like `queues` (index `segment`, `metric`).
    #[getter]
    fn segments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        py.import("hotline._frames")?
            .call_method1("scoped", (all.get_item("segments")?, "segment"))
    }

    /// Metrics per channel (`phone`, `online`), like `queues`; empty for a
    /// phone-only menu.
    #[getter]
    fn channels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = from_json(py, &self.json)?;
        let channels = all
            .get_item("channels")
            .or_else(|_| Ok::<_, PyErr>(PyDict::new(py).into_any()))?;
        py.import("hotline._frames")?
            .call_method1("scoped", (channels, "channel"))
    }

    /// One row per replication (the first 10,000), the columns of
    /// `replications.csv`: a DataFrame with pandas, else a dict of lists.
    #[getter]
    fn replications<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let columns = PyDict::new(py);
        for (k, v) in &self.rows {
            columns.set_item(k, v.clone())?;
        }
        frame(py, "replications", columns.into_any())
    }

    /// The run's warnings.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)?.get_item("warnings")
    }

    /// Everything as a dict (the JSON's structure).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)
    }

    /// Exactly what `hotline simulate --format json` prints.
    fn to_json(&self) -> String {
        self.json.clone()
    }

    fn __repr__(&self) -> String {
        "<hotline.Result: .metrics, .queues, .replications, .to_json()>".into()
    }
}

#[pymethods]
impl Staffing {
    /// One row per pool and interval (`pool`, `from`, `to`, `seats`,
    /// `scheduled`, `erlang_c`, …): a DataFrame with pandas, else a list of dicts.
    #[getter]
    fn plan<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frame(py, "plan", from_json(py, &self.json)?.get_item("plan")?)
    }

    /// Everything as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)
    }

    /// Exactly what `hotline staff --format json` prints.
    fn to_json(&self) -> String {
        self.json.clone()
    }
}

#[pymethods]
impl Sweep {
    /// One row per point and metric (the swept paths, `metric`, `mean`,
    /// `ci95_low`, `ci95_high`, `n`): a DataFrame with pandas, else a list
    /// of dicts.
    #[getter]
    fn points<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frame(py, "points", from_json(py, &self.json)?)
    }

    /// Everything as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.json)
    }

    /// Exactly what `hotline sweep --format json` prints.
    fn to_json(&self) -> String {
        self.json.clone()
    }
}
