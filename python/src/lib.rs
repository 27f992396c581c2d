//! Python bindings of `hotline`: the Rust library does the work, this file
//! only converts arguments in and results out (results cross as the JSON
//! text the command line prints, read back by Python's `json`).
//!
//! Long runs release the GIL and run on a thread of their own; the calling
//! thread wakes every 50 ms to let Python handle signals, so Ctrl-C stops a
//! simulation, a sweep or a staffing search with `KeyboardInterrupt`.

mod records;
mod results;

use hotline::cancel::Cancel;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use hotline::input::Loaded;
use hotline::menu::LoadOptions;
use hotline::menu::yaml::Node;
use hotline::sim::SimOptions;

pyo3::create_exception!(
    hotline,
    MenuError,
    PyValueError,
    "A menu with errors. `diagnostics` lists every problem as a dict with \
     severity, code, message, file, line, column and node; str() shows them \
     with their source lines."
);

/// A valid menu: its text, the tree values were set in, and the hotline.
struct Inner {
    path: String,
    source: String,
    /// The menu's tree (an imported vendor flow's generated menu) and the
    /// text its positions refer to.
    tree: Node,
    tree_text: String,
    hotline: hotline::Hotline,
    warnings: Vec<hotline::diag::Diagnostic>,
}

/// A loaded, valid hotline menu.
#[pyclass(frozen, module = "hotline", name = "Menu")]
struct Menu(Arc<Inner>);

/// The result of a simulation.
#[pyclass(frozen, module = "hotline", name = "Result")]
struct SimResult {
    json: String,
    rows: Vec<(String, Vec<f64>)>,
}

/// The result of a staffing search.
#[pyclass(frozen, module = "hotline", name = "Staffing")]
struct Staffing {
    json: String,
}

/// The result of a sweep.
#[pyclass(frozen, module = "hotline", name = "Sweep")]
struct Sweep {
    json: String,
}

/// JSON text as Python objects (dicts keep the order of the text).
fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A call of `hotline._frames.NAME(data)`: a pandas frame when pandas is
/// installed, else `data` itself.
fn frame<'py>(py: Python<'py>, name: &str, data: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    py.import("hotline._frames")?.call_method1(name, (data,))
}

/// The diagnostics as dicts, with the file's name in each.
fn diagnostics<'py>(py: Python<'py>, path: &str, list: &[hotline::diag::Diagnostic]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for d in list {
        let dict = from_json(py, &hotline::escape::json_text(d))?.cast_into::<PyDict>()?;
        dict.set_item("file", path)?;
        out.append(dict)?;
    }
    Ok(out)
}

/// `MenuError` for a loaded file with errors.
fn menu_error(py: Python<'_>, loaded: &Loaded) -> PyErr {
    let err = MenuError::new_err(loaded.render().trim_end().to_string());
    match diagnostics(py, &loaded.path, &loaded.diagnostics) {
        Ok(list) => match err.value(py).setattr("diagnostics", list) {
            Ok(()) => err,
            Err(e) => e,
        },
        Err(e) => e,
    }
}

/// A library error as the Python exception a user expects.
fn library_error(e: hotline::Error) -> PyErr {
    match e {
        hotline::Error::Read { .. } | hotline::Error::NotAFile { .. } | hotline::Error::Write { .. } => {
            PyOSError::new_err(e.chain())
        }
        _ => PyValueError::new_err(e.chain()),
    }
}

/// Runs `work` on its own thread with the GIL released; Ctrl-C (any
/// pending Python signal) sets `stop` and raises.
fn interruptible<T: Send>(
    py: Python<'_>,
    stop: &Cancel,
    work: impl FnOnce() -> Result<T, String> + Send,
) -> PyResult<T> {
    let out = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        s.spawn(move || {
            let _ = tx.send(work());
        });
        let mut rx = rx;
        loop {
            // The receiver is Send but not Sync: it goes into the detached
            // closure and comes back.
            let (got, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
            rx = back;
            match got {
                Ok(result) => return Ok(result),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(PyValueError::new_err("the run ended without a result"));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        stop.cancel();
                        // The run stops at its next check; wait for it.
                        py.detach(move || while rx.recv().is_ok() {});
                        return Err(e);
                    }
                }
            }
        }
    })?;
    out.map_err(|m| {
        if stop.is_cancelled() {
            PyKeyboardInterrupt::new_err("interrupted")
        } else {
            PyValueError::new_err(m)
        }
    })
}

/// Loads a menu from a path or from YAML text (text: a string with a line
/// break, or starting with `{`); vendor flows too. `overlay`: a file laid
/// over the menu (`--with`).
#[pyfunction]
#[pyo3(signature = (path_or_text, *, name = None, overlay = None))]
fn load(
    py: Python<'_>,
    path_or_text: &Bound<'_, PyAny>,
    name: Option<String>,
    overlay: Option<std::path::PathBuf>,
) -> PyResult<Menu> {
    let options = LoadOptions::default();
    let overlay = overlay
        .map(|p| hotline::input::Overlay::read(&p, &options))
        .transpose()
        .map_err(library_error)?;
    let text: Option<String> = path_or_text
        .extract::<String>()
        .ok()
        .filter(|s| s.contains('\n') || s.trim_start().starts_with('{'));
    let loaded = match text {
        Some(t) => {
            let shown = name.unwrap_or_else(|| "<text>".into());
            py.detach(|| match &overlay {
                Some(o) => hotline::input::load_str_with(&t, &shown, &options, o),
                None => hotline::input::load_str(&t, &shown, &options),
            })
        }
        None => {
            let path: std::path::PathBuf = path_or_text.extract()?;
            let mut l = py
                .detach(|| hotline::input::load_with(&path, overlay.as_ref(), &options))
                .map_err(library_error)?;
            if let Some(n) = name {
                l.path = n;
            }
            l
        }
    };
    menu_from(py, loaded, overlay.as_ref())
}

fn menu_from(py: Python<'_>, mut loaded: Loaded, overlay: Option<&hotline::input::Overlay>) -> PyResult<Menu> {
    let Some(hotline) = loaded.hotline.take() else {
        return Err(menu_error(py, &loaded));
    };
    let (tree, tree_text) =
        hotline::input::effective_tree(&loaded.source, &loaded.path, &LoadOptions::default(), overlay)
            .map_err(PyValueError::new_err)?;
    Ok(Menu(Arc::new(Inner {
        path: loaded.path,
        source: loaded.source,
        tree,
        tree_text,
        hotline,
        warnings: loaded.diagnostics,
    })))
}

/// Simulation settings from keyword arguments over the menu's own.
fn sim_options(
    h: &hotline::Hotline,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: usize,
    sl_target: f64,
    stop: &Cancel,
) -> PyResult<SimOptions> {
    let mut o = SimOptions::from_menu(h);
    if let Some(r) = replications {
        if !(1..=1_000_000).contains(&r) {
            return Err(PyValueError::new_err("replications must be from 1 to 1,000,000"));
        }
        o.replications = r;
    }
    if let Some(s) = seed {
        o.seed = s;
    }
    if threads > 1024 {
        return Err(PyValueError::new_err("threads must be at most 1024 (0: one per core)"));
    }
    if !(sl_target.is_finite() && sl_target >= 0.0) {
        return Err(PyValueError::new_err("sl_target must be a number of seconds from 0 up"));
    }
    o.threads = threads;
    o.sl_target = sl_target;
    o.stop = stop.clone();
    Ok(o)
}

/// A Python value as the text a menu file would hold.
fn value_text(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = v.extract::<bool>() {
        return Ok(b.to_string());
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(i.to_string());
    }
    if let Ok(x) = v.extract::<f64>() {
        return Ok(x.to_string());
    }
    v.extract::<String>()
        .map_err(|_| PyValueError::new_err(format!("{v}: give a number, a bool or a string")))
}

#[pymethods]
impl Menu {
    /// The hotline's name.
    #[getter]
    fn name(&self) -> String {
        self.0.hotline.name.clone()
    }

    /// The file the menu came from (or the name given to its text).
    #[getter]
    fn path(&self) -> String {
        self.0.path.clone()
    }

    /// The YAML text the menu was read from (values set by `with_values`
    /// are not in it).
    #[getter]
    fn source(&self) -> String {
        self.0.source.clone()
    }

    /// Node ids, in file order.
    #[getter]
    fn nodes(&self) -> Vec<String> {
        let h = &self.0.hotline;
        h.graph().node_indices().map(|n| h.at(n).id.clone()).collect()
    }

    /// Pool names, in file order.
    #[getter]
    fn pools(&self) -> Vec<String> {
        self.0.hotline.pools.iter().map(|p| p.name.clone()).collect()
    }

    /// The warnings of loading, as dicts (errors raise `MenuError` at load).
    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        diagnostics(py, &self.0.path, &self.0.warnings)
    }

    /// Reach-a-human metrics and rule findings: `hotline analyze --format json` as a dict.
    fn analyze<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let h = &self.0.hotline;
        let text = py.detach(|| {
            let a = hotline::analysis::analyze(h, &hotline::analysis::rules::RuleSet::default());
            hotline::escape::json_text(&a)
        });
        from_json(py, &text)
    }

    /// Monte Carlo replications of callers through the menu:
    /// `hotline simulate` with the same settings. Releases the GIL; Ctrl-C
    /// raises `KeyboardInterrupt`.
    #[pyo3(signature = (*, replications = None, seed = None, threads = 0, sl_target = 20.0))]
    fn simulate(
        &self,
        py: Python<'_>,
        replications: Option<u32>,
        seed: Option<u64>,
        threads: usize,
        sl_target: f64,
    ) -> PyResult<SimResult> {
        let stop = Cancel::new();
        let h = &self.0.hotline;
        let o = sim_options(h, replications, seed, threads, sl_target, &stop)?;
        let report = interruptible(py, &stop, || {
            hotline::sim::simulate(h, &o, &|_, _, _| {}).map_err(String::from)
        })?;
        let keys = report.rows.keys().to_vec();
        let mut columns: Vec<(String, Vec<f64>)> = keys.into_iter().map(|k| (k, Vec::new())).collect();
        for row in report.rows.iter() {
            for (c, v) in columns.iter_mut().zip(row.values()) {
                c.1.push(*v);
            }
        }
        Ok(SimResult {
            json: hotline::escape::json_text(&report),
            rows: columns,
        })
    }

    /// A copy with values set by path, as in the file (`{"agents.desk.seats":
    /// 14, "nodes.q.max_wait": "5m"}`), validated like a file: raises
    /// `MenuError` when the result is not a valid menu.
    fn with_values(&self, py: Python<'_>, values: &Bound<'_, PyDict>) -> PyResult<Menu> {
        let mut tree = self.0.tree.clone();
        for (k, v) in values.iter() {
            let path: String = k.extract()?;
            hotline::decisions::sweep::set(&mut tree, &path, &value_text(&v)?).map_err(PyValueError::new_err)?;
        }
        let mut loaded = hotline::input::load_tree(&tree, &self.0.tree_text, &self.0.path, &LoadOptions::default());
        let Some(h) = loaded.hotline.take() else {
            return Err(menu_error(py, &loaded));
        };
        Ok(Menu(Arc::new(Inner {
            path: loaded.path,
            source: self.0.source.clone(),
            tree,
            tree_text: self.0.tree_text.clone(),
            hotline: h,
            warnings: loaded.diagnostics,
        })))
    }

    /// The fewest seats per pool and interval meeting every target:
    /// `hotline staff`. `targets` such as `["service_level(20s) >= 80%"]`
    /// (default: the menu's `targets:`).
    #[pyo3(signature = (targets = None, *, interval = "30m", confidence = 0.95, shrinkage = 0.0,
                        replications = None, seed = None, threads = 0))]
    #[allow(clippy::too_many_arguments)]
    fn staff(
        &self,
        py: Python<'_>,
        targets: Option<Vec<String>>,
        interval: &str,
        confidence: f64,
        shrinkage: f64,
        replications: Option<u32>,
        seed: Option<u64>,
        threads: usize,
    ) -> PyResult<Staffing> {
        let h = &self.0.hotline;
        let targets = match targets {
            Some(list) => list
                .iter()
                .map(|t| hotline::menu::target::Target::parse(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(PyValueError::new_err)?,
            None => h.targets.clone(),
        };
        let interval = hotline::menu::value::Duration::parse(interval)
            .map_err(PyValueError::new_err)?
            .secs();
        if !(0.5..=0.999).contains(&confidence) {
            return Err(PyValueError::new_err("confidence must be from 0.5 to 0.999"));
        }
        if !(0.0..=0.9).contains(&shrinkage) {
            return Err(PyValueError::new_err("shrinkage must be from 0 to 0.9"));
        }
        if replications.is_some_and(|r| r < 2) {
            return Err(PyValueError::new_err("a staffing search needs at least 2 replications"));
        }
        let stop = Cancel::new();
        let o = hotline::decisions::staff::StaffOptions {
            targets,
            interval,
            confidence,
            shrinkage,
            sim: sim_options(h, replications, seed, threads, 20.0, &stop)?,
            max_rounds: 60,
        };
        let s = interruptible(py, &stop, || hotline::decisions::staff::staff(h, &o))?;
        Ok(Staffing {
            json: hotline::escape::json_text(&s),
        })
    }

    /// A grid over menu values: `hotline sweep`. `grid` maps paths to
    /// values as the command line writes them (`"10..20"`, `"0..1/0.25"`,
    /// `"0,0.2"`) or to lists (`[10, 12, 14]`); the last path varies fastest.
    #[pyo3(signature = (grid, *, replications = None, seed = None, threads = 0, sl_target = 20.0))]
    fn sweep(
        &self,
        py: Python<'_>,
        grid: &Bound<'_, PyDict>,
        replications: Option<u32>,
        seed: Option<u64>,
        threads: usize,
        sl_target: f64,
    ) -> PyResult<Sweep> {
        let mut settings = Vec::new();
        for (k, v) in grid.iter() {
            let path: String = k.extract()?;
            let setting = if let Ok(list) = v.cast::<PyList>() {
                let values = list.iter().map(|x| value_text(&x)).collect::<PyResult<Vec<_>>>()?;
                if values.is_empty() {
                    return Err(PyValueError::new_err(format!("{path}: an empty list of values")));
                }
                hotline::decisions::sweep::Setting { path, values }
            } else {
                hotline::decisions::sweep::Setting::parse(&format!("{path}={}", value_text(&v)?))
                    .map_err(PyValueError::new_err)?
            };
            settings.push(setting);
        }
        let stop = Cancel::new();
        let inner = &self.0;
        // Checked once here so that a bad argument is a ValueError, not a
        // message from the middle of the sweep.
        sim_options(&inner.hotline, replications, seed, threads, sl_target, &stop)?;
        let options = LoadOptions::default();
        let sim = |h: &hotline::Hotline| {
            sim_options(h, replications, seed, threads, sl_target, &stop).unwrap_or_else(|_| SimOptions::from_menu(h))
        };
        let s = interruptible(py, &stop, || {
            hotline::decisions::sweep::sweep_tree(
                &inner.tree,
                &inner.tree_text,
                &inner.path,
                &settings,
                &options,
                &sim,
                None,
                &|_, _| {},
            )
        })?;
        Ok(Sweep {
            json: hotline::escape::json_text(&s),
        })
    }

    /// The menu simulated over the records' days and compared with them,
    /// interval by interval: `hotline backtest`. Lay a fitted overlay over
    /// the menu first (`hotline.load(path, with_=overlay)`).
    #[pyo3(signature = (records, *, interval = "30m", replications = None, seed = None, threads = 0, sl_target = 20.0))]
    #[allow(clippy::too_many_arguments)]
    fn backtest(
        &self,
        py: Python<'_>,
        records: Vec<std::path::PathBuf>,
        interval: &str,
        replications: Option<u32>,
        seed: Option<u64>,
        threads: usize,
        sl_target: f64,
    ) -> PyResult<Backtest> {
        let interval = records::fit_interval(interval)?;
        let paths: Vec<&std::path::Path> = records.iter().map(|p| p.as_path()).collect();
        let fo = hotline::fit::FitOptions {
            interval,
            sl_target,
            ..Default::default()
        };
        let fitted = hotline::fit::fit_files(&paths, &fo).map_err(library_error)?;
        let h = &self.0.hotline;
        let stop = Cancel::new();
        let o = sim_options(h, replications, seed, threads, sl_target, &stop)?;
        let b = interruptible(py, &stop, || {
            hotline::decisions::backtest::backtest(h, &fitted, &o, interval).map_err(String::from)
        })?;
        Ok(Backtest {
            json: hotline::escape::json_text(&b),
        })
    }

    fn __repr__(&self) -> String {
        format!("<hotline.Menu {:?} from {:?}>", self.0.hotline.name, self.0.path)
    }
}

/// The result of `hotline.fit`.
#[pyclass(module = "hotline")]
struct Fit {
    json: String,
    overlay: String,
}

/// The result of `Menu.backtest`.
#[pyclass(module = "hotline")]
struct Backtest {
    json: String,
}

/// The version of the Rust library inside.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _hotline(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(records::fit, m)?)?;
    m.add_class::<Fit>()?;
    m.add_class::<Backtest>()?;
    m.add_class::<Menu>()?;
    m.add_class::<SimResult>()?;
    m.add_class::<Staffing>()?;
    m.add_class::<Sweep>()?;
    m.add("MenuError", m.py().get_type::<MenuError>())?;
    Ok(())
}
