"""The studies every alert points to (science.md, "Evidence keys").

An alert names one key; the key's one-line citation travels with it so a
runner or coach can look the study up and judge how strong the evidence is.
"""

from __future__ import annotations

#: Evidence key -> one-line citation.
EVIDENCE: dict[str, str] = {
    "buist2008": "Buist et al., Am J Sports Med 2008;36:33 "
    "(GRONORUN: the 10% rule did not reduce injuries in novice runners)",
    "nielsen2014": "Nielsen et al., JOSPT 2014 "
    "(weekly increase > 30% vs < 10%: distance-related injuries HR 1.59)",
    "frandsen2025": "Frandsen et al., Br J Sports Med 2025;59:1203 "
    "(5,205 runners, single-session distance spikes)",
    "gabbett2016": "Gabbett, Br J Sports Med 2016;50:273 "
    "(training-injury prevention paradox; 0.8-1.3 'sweet spot')",
    "hulin2014": "Hulin et al., Br J Sports Med 2014 (acute:chronic workload)",
    "williams2017": "Williams et al., Br J Sports Med 2017;51:209 (EWMA acute:chronic ratio)",
    "windt2019": "Windt & Gabbett, Br J Sports Med 2019;53:988 (coupled and uncoupled ratios)",
    "lolli2019": "Lolli et al., Br J Sports Med 2019;53:921 (mathematical coupling)",
    "impellizzeri2020": "Impellizzeri et al., Int J Sports Physiol Perform 2020;15:907 "
    "(criticism of the acute:chronic ratio)",
    "foster1998": "Foster, Med Sci Sports Exerc 1998;30:1164 (training monotony and strain)",
    "foster2001": "Foster et al., J Strength Cond Res 2001;15:109 (session RPE)",
    "nakaoka2021": "Nakaoka et al., Sports Med 2021;51:2437 "
    "(435 Dutch runners: a higher acute:chronic ratio went with lower injury risk)",
    "farrar2001": "Farrar et al., Pain 2001;94:149 "
    "(clinically important change on the 0-10 pain scale: about 2 points or 30%)",
    # wellness context (science.md section 8)
    "sleep2025": "Scand J Med Sci Sports 2025 (339 runners over 26 weeks: lower sleep quality "
    "HRR 1.36, 1.04-1.78; muscle soreness rose in the 2 weeks before injury)",
    "dejonge2025": "de Jonge et al., Applied Sciences 2025;15:10814 "
    "(425 recreational runners: poor sleepers 1.78x as likely to report injury; cross-sectional)",
    "costa2021": "Costa et al., Eur Spine J 2021;30:1089 "
    "(daily app, 126 people with low back pain: poor sleep quality raised the odds of a flare)",
    "none": "no study: science.md section 8 names none for this rule; "
    "it is a common monitoring convention, shown as information only",
    "suri2018": "Suri et al., Spine 2018;43:427 "
    "(low back pain flares: stress/depression OR 2.5-2.8; sitting > 6 h OR 4.4)",
}


def citation(key: str) -> str:
    """The one-line citation of an evidence key (KeyError for an unknown key)."""
    return EVIDENCE[key]
