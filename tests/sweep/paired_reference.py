#!/usr/bin/env python3
"""Reference values for tests/sweep/paired_stats_test.cpp and seeds_needed_test.cpp,
computed independently of Boost with mpmath (Debian's python3-mpmath) at 40 digits:

- Student t tail by the regularized incomplete beta, P(T > t) = I_{v/(v+t^2)}(v/2, 1/2) / 2,
  and its quantile by root finding on that;
- the non-central t CDF by integrating over the chi-square variable,
  F(t; v, lam) = int_0^inf Phi(t sqrt(x / v) - lam) f_chi2(x; v) dx   (Johnson & Kotz),
- paired t (SciPy's ttest_rel and t.interval on the differences), Welch, Pearson r,
- seeds needed: the smallest n >= 2 with power(n) >= 0.8, n stepped one at a time.

Run: python3 tests/sweep/paired_reference.py   (prints the literals pasted into the tests)
"""
import mpmath as mp

mp.mp.dps = 40


def t_upper(t, v):  # P(T > t), t >= 0
    t, v = mp.mpf(t), mp.mpf(v)
    return mp.betainc(v / 2, mp.mpf(1) / 2, 0, v / (v + t * t), regularized=True) / 2


def t_quantile(p, v):  # p > 1/2
    return mp.findroot(lambda t: t_upper(t, v) - (1 - mp.mpf(p)), mp.mpf(2))


def nct_cdf(t, v, lam):
    v, lam, t = mp.mpf(v), mp.mpf(lam), mp.mpf(t)
    dens = lambda x: mp.exp((v / 2 - 1) * mp.log(x) - x / 2 - (v / 2) * mp.log(2) - mp.loggamma(v / 2))
    f = lambda x: mp.ncdf(t * mp.sqrt(x / v) - lam) * dens(x)
    return mp.quad(f, [0, v, 4 * v, mp.inf])


def power(n, effect, sd, alpha=mp.mpf("0.05")):
    v = n - 1
    lam = mp.mpf(effect) * mp.sqrt(n) / mp.mpf(sd)
    c = t_quantile(1 - alpha / 2, v)
    return 1 - nct_cdf(c, v, lam) + nct_cdf(-c, v, lam)


def seeds_needed(effect, sd):
    n = 2
    while power(n, effect, sd) < mp.mpf("0.8"):
        n += 1
    return n


def mean(x):
    return mp.fsum(x) / len(x)


def sd(x):
    m = mean(x)
    return mp.sqrt(mp.fsum((xi - m) ** 2 for xi in x) / (len(x) - 1))


def paired(a, b):
    d = [mp.mpf(x) - mp.mpf(y) for x, y in zip(a, b)]
    n = len(d)
    m, s = mean(d), sd(d)
    se = s / mp.sqrt(n)
    q = t_quantile(mp.mpf("0.975"), n - 1)
    ma, mb = mean([mp.mpf(x) for x in a]), mean([mp.mpf(y) for y in b])
    sab = mp.fsum((mp.mpf(x) - ma) * (mp.mpf(y) - mb) for x, y in zip(a, b))
    saa = mp.fsum((mp.mpf(x) - ma) ** 2 for x in a)
    sbb = mp.fsum((mp.mpf(y) - mb) ** 2 for y in b)
    return dict(diff=m, sd=s, low=m - q * se, high=m + q * se, p=2 * t_upper(abs(m / se), n - 1),
                r=sab / mp.sqrt(saa * sbb))


def welch(a, b):
    a, b = [mp.mpf(x) for x in a], [mp.mpf(y) for y in b]
    va, vb = sd(a) ** 2 / len(a), sd(b) ** 2 / len(b)
    se = mp.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    diff = mean(a) - mean(b)
    q = t_quantile(mp.mpf("0.975"), dof)
    return dict(diff=diff, low=diff - q * se, high=diff + q * se, dof=dof, p=2 * t_upper(abs(diff / se), dof))


def show(name, d):
    print(name, {k: mp.nstr(v, 17) for k, v in d.items()})


if __name__ == "__main__":
    # Ten seeds of test accuracy, fp16-mixed (a) and fp32 (b), correlated as same-seed runs are.
    a = ["0.8812", "0.8790", "0.8851", "0.8803", "0.8836", "0.8779", "0.8824", "0.8847", "0.8801", "0.8830"]
    b = ["0.8795", "0.8781", "0.8822", "0.8800", "0.8809", "0.8770", "0.8811", "0.8829", "0.8796", "0.8805"]
    show("paired", paired(a, b))
    show("welch", welch(a, b))
    # Three pairs, a hand-checkable case: d = {1, 2, 6}.
    show("paired3", paired(["3", "5", "10"], ["2", "3", "4"]))
    for n, effect, s in [(10, "0.0025", "0.003"), (5, "1", "1"), (30, "0.5", "1.2")]:
        print("power", n, effect, s, mp.nstr(power(n, effect, s), 17))
    for effect, s in [("0.0025", "0.003"), ("0.001", "0.0011"), ("1", "1"), ("0.1", "0.3")]:
        print("seeds_needed", effect, s, seeds_needed(effect, s))
