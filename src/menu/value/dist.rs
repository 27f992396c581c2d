//! Distributions of durations: `fixed`, `exp`, `uniform`, `lognormal`,
//! `gamma`, `erlang`, `weibull`, read from their text and checked.

use super::*;

/// A probability distribution of durations (seconds).
///
/// ```
/// use hotline::menu::value::Dist;
/// let d = Dist::parse("lognormal(mean=5m, sd=3m)").unwrap();
/// assert_eq!(d.mean(), 300.0);
/// assert_eq!(Dist::parse("45s").unwrap(), Dist::Fixed(45.0));
/// assert!(Dist::parse("exp(mean=-1m)").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value: `fixed(30s)` or a bare duration.
    Fixed(f64),
    /// Exponential: `exp(mean=3m)`.
    Exp {
        /// Mean in seconds.
        mean: f64,
    },
    /// Uniform between two values: `uniform(10s, 30s)`.
    Uniform {
        /// Lower bound in seconds.
        lo: f64,
        /// Upper bound in seconds.
        hi: f64,
    },
    /// Log-normal with the given mean and standard deviation of the value
    /// itself (not of its logarithm): `lognormal(mean=5m, sd=3m)`.
    LogNormal {
        /// Mean in seconds.
        mean: f64,
        /// Standard deviation in seconds.
        sd: f64,
    },
    /// Gamma with the given mean and standard deviation: `gamma(mean=4m, sd=2m)`.
    Gamma {
        /// Mean in seconds.
        mean: f64,
        /// Standard deviation in seconds.
        sd: f64,
    },
    /// Erlang: the sum of `k` exponential phases, `erlang(k=2, mean=4m)`.
    Erlang {
        /// Number of phases (at least 1).
        k: u32,
        /// Mean of the whole in seconds.
        mean: f64,
    },
    /// Weibull: `weibull(shape=1.5, scale=3m)`.
    Weibull {
        /// Shape parameter (> 0).
        shape: f64,
        /// Scale in seconds (> 0).
        scale: f64,
    },
}

impl Default for Dist {
    fn default() -> Dist {
        Dist::Fixed(0.0)
    }
}

impl Dist {
    /// Parses any distribution of the menu format, or a bare duration.
    pub fn parse(text: &str) -> Result<Dist, String> {
        let t = text.trim();
        let Some(open) = t.find('(') else {
            if t.starts_with('-') {
                return Err(format!("duration \"{t}\" is negative"));
            }
            return Duration::parse(t)
                .map(|d| Dist::Fixed(d.secs()))
                .map_err(|_| bad_dist(t));
        };
        if !t.ends_with(')') {
            return Err(format!("distribution \"{t}\" is missing its closing \")\""));
        }
        let name = t[..open].trim();
        let inner = &t[open + 1..t.len() - 1];
        let args = Args::split(inner, t)?;
        let dist = match name {
            "fixed" | "const" => Dist::Fixed(args.positional_duration(0, "value")?),
            "exp" | "exponential" => Dist::Exp {
                mean: args.duration("mean")?,
            },
            "uniform" => {
                let lo = args.positional_duration(0, "low")?;
                let hi = args.positional_duration(1, "high")?;
                Dist::Uniform { lo, hi }
            }
            "lognormal" => Dist::LogNormal {
                mean: args.duration("mean")?,
                sd: args.duration("sd")?,
            },
            "gamma" => Dist::Gamma {
                mean: args.duration("mean")?,
                sd: args.duration("sd")?,
            },
            "erlang" => {
                let k = args.number("k")?;
                if k < 1.0 || k.fract() != 0.0 || k > 1000.0 {
                    return Err(format!("erlang k must be a whole number from 1 to 1000, not {k}"));
                }
                Dist::Erlang {
                    k: k as u32,
                    mean: args.duration("mean")?,
                }
            }
            "weibull" => Dist::Weibull {
                shape: args.number("shape")?,
                scale: args.duration("scale")?,
            },
            other => {
                return Err(format!(
                    "unknown distribution \"{other}\" (use fixed, exp, uniform, lognormal, gamma, erlang or weibull)"
                ));
            }
        };
        args.check_used(name, t)?;
        dist.check()?;
        Ok(dist)
    }

    /// Checks parameters (means positive, sd not negative, bounds in
    /// order), then the moments themselves: the mean from a microsecond
    /// ([`MIN_DIST_SECONDS`]) to a year, the standard deviation, when not
    /// zero, at least a microsecond and at most [`MAX_CV`] times the mean.
    /// What passes can always be sampled.
    fn check(&self) -> Result<(), String> {
        self.check_parameters()?;
        if let Dist::Fixed(_) = self {
            return Ok(());
        }
        let (mean, sd) = (self.mean(), self.sd());
        if !(mean.is_finite() && mean <= MAX_SECONDS) {
            return Err(format!(
                "the mean of {self} is {}, longer than a year: no hotline duration is that long",
                fmt_mean(mean)
            ));
        }
        if mean < MIN_DIST_SECONDS && !matches!(self, Dist::Uniform { .. }) {
            return Err(format!(
                "the mean of {self} is {mean}s, below a microsecond: use 0 for no time at all"
            ));
        }
        if sd != 0.0 && !(sd.is_finite() && sd <= MAX_CV * mean) {
            return Err(format!(
                "the standard deviation of {self} is more than {MAX_CV} times its mean: the distribution is degenerate"
            ));
        }
        if sd != 0.0 && sd < MIN_DIST_SECONDS && !matches!(self, Dist::Uniform { .. }) {
            return Err(format!(
                "the standard deviation of {self} is {sd}s, below a microsecond: write sd=0 for a fixed value"
            ));
        }
        Ok(())
    }

    fn check_parameters(&self) -> Result<(), String> {
        match *self {
            Dist::Fixed(_) => Ok(()),
            Dist::Exp { mean } | Dist::Erlang { mean, .. } if mean <= 0.0 => {
                Err(format!("the mean must be above zero, not {mean}s"))
            }
            Dist::LogNormal { mean, sd } | Dist::Gamma { mean, sd } => {
                if mean <= 0.0 {
                    Err(format!("the mean must be above zero, not {mean}s"))
                } else if sd < 0.0 {
                    Err(format!("sd must not be negative, not {sd}s"))
                } else {
                    Ok(())
                }
            }
            Dist::Uniform { lo, hi } if lo > hi => {
                Err(format!("uniform low bound {lo}s is above its high bound {hi}s"))
            }
            Dist::Weibull { shape, scale } if shape <= 0.0 || scale <= 0.0 || !shape.is_finite() => Err(format!(
                "weibull shape and scale must be above zero (shape={shape}, scale={scale}s)"
            )),
            _ => Ok(()),
        }
    }

    /// The mean in seconds.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Exp { mean }
            | Dist::LogNormal { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::Erlang { mean, .. } => mean,
            Dist::Uniform { lo, hi } => (lo + hi) / 2.0,
            Dist::Weibull { shape, scale } => scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
        }
    }

    /// The standard deviation in seconds (infinite when it does not exist).
    pub fn sd(&self) -> f64 {
        match *self {
            Dist::Fixed(_) => 0.0,
            Dist::Exp { mean } => mean,
            Dist::Uniform { lo, hi } => (hi - lo) / 12f64.sqrt(),
            Dist::LogNormal { sd, .. } | Dist::Gamma { sd, .. } => sd,
            Dist::Erlang { k, mean } => mean / f64::from(k).sqrt(),
            Dist::Weibull { shape, scale } => {
                use statrs::function::gamma::gamma;
                let (g1, g2) = (gamma(1.0 + 1.0 / shape), gamma(1.0 + 2.0 / shape));
                scale * (g2 - g1 * g1).max(0.0).sqrt()
            }
        }
    }

    /// Whether every draw is exactly zero.
    pub fn is_zero(&self) -> bool {
        matches!(*self, Dist::Fixed(v) if v == 0.0) || matches!(*self, Dist::Uniform { hi, .. } if hi == 0.0)
    }

    /// Whether the distribution is exponential (memoryless).
    pub fn is_exponential(&self) -> bool {
        matches!(self, Dist::Exp { .. })
    }
}

/// A mean for a message: in years when it is that long.
fn fmt_mean(mean: f64) -> String {
    if mean.is_finite() {
        format!("about {:.3e} years", mean / (365.25 * 86400.0))
    } else {
        "infinite".into()
    }
}

fn bad_dist(t: &str) -> String {
    format!(
        "\"{t}\" is not a duration or distribution (write 30s, exp(mean=3m), uniform(10s, 30s), \
         lognormal(mean=5m, sd=3m), gamma(mean=, sd=), erlang(k=2, mean=4m) or weibull(shape=, scale=))"
    )
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |s: f64| Duration(s).to_string();
        match *self {
            Dist::Fixed(v) => write!(f, "{}", d(v)),
            Dist::Exp { mean } => write!(f, "exp(mean={})", d(mean)),
            Dist::Uniform { lo, hi } => write!(f, "uniform({}, {})", d(lo), d(hi)),
            Dist::LogNormal { mean, sd } => write!(f, "lognormal(mean={}, sd={})", d(mean), d(sd)),
            Dist::Gamma { mean, sd } => write!(f, "gamma(mean={}, sd={})", d(mean), d(sd)),
            Dist::Erlang { k, mean } => write!(f, "erlang(k={k}, mean={})", d(mean)),
            Dist::Weibull { shape, scale } => {
                write!(f, "weibull(shape={}, scale={})", trim_float(shape), d(scale))
            }
        }
    }
}

/// The arguments inside a distribution's parentheses.
struct Args<'a> {
    items: Vec<(Option<&'a str>, &'a str)>,
    used: std::cell::RefCell<Vec<bool>>,
}

impl<'a> Args<'a> {
    fn split(inner: &'a str, whole: &str) -> Result<Args<'a>, String> {
        let mut items = Vec::new();
        for part in inner.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("distribution \"{whole}\" has an empty argument"));
            }
            match part.split_once('=') {
                Some((k, v)) => {
                    let k = k.trim();
                    if items.iter().any(|(seen, _)| *seen == Some(k)) {
                        return Err(format!("{k}= is given twice in \"{whole}\""));
                    }
                    items.push((Some(k), v.trim()));
                }
                None => items.push((None, part)),
            }
        }
        let used = std::cell::RefCell::new(vec![false; items.len()]);
        Ok(Args { items, used })
    }

    fn named(&self, key: &str) -> Result<&'a str, String> {
        for (i, (k, v)) in self.items.iter().enumerate() {
            if *k == Some(key) {
                self.used.borrow_mut()[i] = true;
                return Ok(v);
            }
        }
        Err(format!("missing argument \"{key}=\""))
    }

    fn duration(&self, key: &str) -> Result<f64, String> {
        let v = self.named(key)?;
        if v.trim_start().starts_with('-') {
            return Err(format!("{key} must not be negative, not {v}"));
        }
        Duration::parse(v)
            .map(Duration::secs)
            .map_err(|e| format!("{key}: {e}"))
    }

    fn number(&self, key: &str) -> Result<f64, String> {
        let v = self.named(key)?;
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{key} must be a number, not \"{v}\""))
    }

    fn positional_duration(&self, index: usize, what: &str) -> Result<f64, String> {
        let mut n = 0;
        for (i, (k, v)) in self.items.iter().enumerate() {
            if k.is_none() {
                if n == index {
                    self.used.borrow_mut()[i] = true;
                    return Duration::parse(v).map(Duration::secs);
                }
                n += 1;
            }
        }
        Err(format!("missing the {what} argument"))
    }

    fn check_used(&self, name: &str, whole: &str) -> Result<(), String> {
        let used = self.used.borrow();
        for (i, (k, v)) in self.items.iter().enumerate() {
            if !used[i] {
                let arg = k.map_or_else(|| (*v).to_string(), |k| format!("{k}="));
                return Err(format!("{name}() does not take the argument \"{arg}\" in \"{whole}\""));
            }
        }
        Ok(())
    }
}
