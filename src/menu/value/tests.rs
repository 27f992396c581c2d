use super::*;

#[test]
fn durations() {
    let ok = [
        ("90s", 90.0),
        ("2m", 120.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("250ms", 0.25),
        ("45", 45.0),
        ("0", 0.0),
        ("1.5h", 5400.0),
        ("2min", 120.0),
        ("1m30s", 90.0),
    ];
    for (text, secs) in ok {
        assert_eq!(Duration::parse(text).unwrap().secs(), secs, "{text}");
    }
    for bad in [
        "",
        "-3s",
        "3x",
        "m",
        "1s1m",
        "2m2m",
        "abc",
        "1e400",
        "NaN",
        "inf",
        "99999999h",
    ] {
        assert!(Duration::parse(bad).is_err(), "{bad} should fail");
    }
}

#[test]
fn durations_display() {
    assert_eq!(Duration::parse("1h30m").unwrap().to_string(), "1h30m");
    assert_eq!(Duration::parse("45s").unwrap().to_string(), "45s");
    assert_eq!(Duration::parse("2.5s").unwrap().to_string(), "2.5s");
}

#[test]
fn rates() {
    assert_eq!(Rate::parse("120/h").unwrap().per_sec(), 120.0 / 3600.0);
    assert_eq!(Rate::parse("2/m").unwrap().per_sec(), 2.0 / 60.0);
    assert_eq!(Rate::parse("0.5/s").unwrap().per_sec(), 0.5);
    assert_eq!(Rate::parse(" 300 / hour ").unwrap().per_hour(), 300.0);
    for bad in ["300", "0/h", "-1/h", "5/x", "a/h", "1e308/s", "inf/h"] {
        assert!(Rate::parse(bad).is_err(), "{bad} should fail");
    }
    assert_eq!(Rate::parse_allowing_zero("0/h").unwrap().per_sec(), 0.0);
}

#[test]
fn clocks_and_hours() {
    assert_eq!(Clock::parse("08:30").unwrap().0, 8 * 3600 + 30 * 60);
    assert_eq!(Clock::parse("24:00").unwrap().0, 86400);
    for bad in ["8", "25:00", "08:60", "ab:cd", "24:01", "8:0:0:0"] {
        assert!(Clock::parse(bad).is_err(), "{bad}");
    }
    let h = Hours::parse("08:00-20:00").unwrap();
    assert!(h.contains(8.0 * 3600.0));
    assert!(!h.contains(20.0 * 3600.0));
    assert!(h.contains(86400.0 + 9.0 * 3600.0));
    for bad in ["08:00", "08:00-08:00", "8-9", "08:00-20:00,"] {
        assert!(Hours::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(h.to_string(), "08:00-20:00");
}

#[test]
fn distributions() {
    let cases = [
        ("30s", Dist::Fixed(30.0)),
        ("fixed(30s)", Dist::Fixed(30.0)),
        ("exp(mean=3m)", Dist::Exp { mean: 180.0 }),
        ("uniform(10s, 30s)", Dist::Uniform { lo: 10.0, hi: 30.0 }),
        ("lognormal(mean=5m, sd=3m)", Dist::LogNormal { mean: 300.0, sd: 180.0 }),
        ("gamma(mean=4m, sd=2m)", Dist::Gamma { mean: 240.0, sd: 120.0 }),
        ("erlang(k=2, mean=4m)", Dist::Erlang { k: 2, mean: 240.0 }),
        (
            "weibull(shape=1, scale=2m)",
            Dist::Weibull {
                shape: 1.0,
                scale: 120.0,
            },
        ),
    ];
    for (text, want) in cases {
        let got = Dist::parse(text).unwrap();
        assert_eq!(got, want, "{text}");
        assert_eq!(Dist::parse(&got.to_string()).unwrap(), want, "round trip {text}");
    }
    assert!(
        (Dist::Weibull {
            shape: 1.0,
            scale: 120.0
        }
        .mean()
            - 120.0)
            .abs()
            < 1e-9
    );
    for bad in [
        "exp(mean=-1m)",
        "exp(mean=0)",
        "lognormal(mean=5m, sd=-1m)",
        "lognormal(mean=5m)",
        "uniform(30s, 10s)",
        "erlang(k=0, mean=1m)",
        "erlang(k=1.5, mean=1m)",
        "weibull(shape=0, scale=1m)",
        "normal(mean=1m)",
        "exp(mean=1m",
        "exp(mean=1m, sd=2m)",
        "exp()",
        "soon",
    ] {
        assert!(Dist::parse(bad).is_err(), "{bad} should fail");
    }
}

#[test]
fn shares() {
    assert_eq!(Share::parse("35%").unwrap().0, 0.35);
    assert_eq!(Share::parse("0.2").unwrap().0, 0.2);
    for bad in ["1.2", "-0.1", "x", "NaN"] {
        assert!(Share::parse(bad).is_err(), "{bad}");
    }
}
