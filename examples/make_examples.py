#!/usr/bin/env python3
"""Writes the three worked examples of data-schema/README.md ("Bring your own registry") from
one canonical cohort, examples/source/ (`dicohort simulate --patients 300 --seed 2013`, truth files
removed), each as a researcher's raw export would look:

  j-septic/export.csv       a J-Septic-DIC-like wide export: Japanese headers, one row per
                            patient, labs on days 1/3/7 as PLT_d1 ..., platelets in x10^4/uL,
                            fibrinogen in g/L, 有/無 and 1/2 codes, 28-day death yes/no with
                            the day of death and the length of stay, anticoagulants as
                            given/start/end columns.
  claims/claims.csv         a claims-style extract, semicolon-separated: admission and
                            discharge dates (dd.mm.yyyy) instead of day numbers, in-hospital
                            death Y/N, labs on days 1, 2 and 4 (plt_1 ...) in SI units
                            (creatinine and bilirubin umol/L, D-dimer ng/mL FEU, fibrinogen
                            g/L), temperature in F, drug first/last dates.
  long-labs/patients.csv    a long-format lab export: patients (in-hospital death, discharge
  long-labs/labs.tsv        day), labs tab-separated, one row per patient, day and test with
  long-labs/drugs.csv       a unit column (one site reports platelets in 10^4/uL), repeated
                            platelet counts on some days, a test dicohort does not use (CRP),
                            and a courses file with the pharmacy's drug names.

Run from the repository root: python3 examples/make_examples.py. Deterministic (no random
numbers; everything is a function of the source rows). The integration test
tests/it/byod_examples.rs loads each export through its mapping and compares it with the source.
"""

import csv
import datetime as dt
import os

ROOT = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(ROOT, "source")
ADMISSION0 = dt.date(2021, 4, 1)


def read(name):
    with open(os.path.join(SRC, name), newline="") as f:
        return list(csv.DictReader(f))


def num(s):
    return float(s) if s not in ("", None) else None


def fmt(v, nd=None):
    """A number as a short decimal (no float noise), '' for missing."""
    if v is None:
        return ""
    if nd is not None:
        v = round(v, nd)
    s = repr(float(v))
    if s.endswith(".0"):
        s = s[:-2]
    return s


def write(path, header, rows, delimiter=","):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


patients = read("patients.csv")
days = read("days.csv")
treatments = read("treatments.csv")
by_pd = {(d["patient_id"], int(d["day"])): d for d in days}
courses = {}
for t in treatments:
    courses.setdefault(t["patient_id"], {})[t["drug"]] = t
bools = {"true": True, "false": False}


def admission(i):
    """A patient's admission date: spread over a year, deterministic."""
    return ADMISSION0 + dt.timedelta(days=(i * 7) % 365)


def stay_end(p):
    """The day the hospital stay ended: death, discharge, else (alive in hospital on day 28)
    a discharge after the horizon, day 35."""
    if p["death_day"]:
        return int(p["death_day"])
    if p["discharge_day"]:
        return int(p["discharge_day"])
    return 35


# --- 1. J-Septic-DIC-like wide export ------------------------------------------------------
JS_DAYS = [1, 3, 7]
# (stem in the export, canonical column, transform of the canonical value)
JS_LABS = [
    ("PLT", "platelets", lambda v: fmt(v / 10, 2)),  # x10^4/uL
    ("PT_INR", "pt_inr", fmt),
    ("PT_ratio", "pt_ratio", fmt),
    ("FIB", "fibrinogen", lambda v: fmt(v / 100, 3)),  # g/L
    ("FDP", "fdp", fmt),
    ("DD", "d_dimer", fmt),
    ("AT", "antithrombin", fmt),
    ("BT", "temperature", fmt),
    ("HR", "heart_rate", fmt),
    ("RR", "resp_rate", fmt),
    ("WBC", "wbc", fmt),
    ("PF", "pao2_fio2", fmt),
    ("MV", "ventilated", None),
    ("MAP", "map", fmt),
    ("DOA", "dopamine", fmt),
    ("DOB", "dobutamine", fmt),
    ("epi", "epinephrine", fmt),
    ("NAD", "norepinephrine", fmt),
    ("GCS", "gcs", fmt),
    ("TBil", "bilirubin", fmt),
    ("Cre", "creatinine", fmt),
    ("UO", "urine_output", fmt),
]
JS_DRUGS = [("AT", "antithrombin"), ("rTM", "thrombomodulin"), ("UFH", "heparin"),
            ("nafamostat", "protease_inhibitor")]
header = ["症例番号", "施設", "年齢", "性別", "APACHE II", "血液悪性腫瘍", "肝不全", "感染巣",
          "28日死亡", "死亡日", "在院日数"]
for d in JS_DAYS:
    header += [f"{s}_d{d}" for s, _, _ in JS_LABS]
for pre, _ in JS_DRUGS:
    header += [f"{pre}_投与", f"{pre}_開始日", f"{pre}_終了日"]
rows = []
for p in patients:
    yn = lambda b: "有" if bools[b] else "無"
    died = p["death_day"] != ""
    los = p["death_day"] or p["discharge_day"]  # blank: still in hospital on day 28
    r = [p["patient_id"], p["site_id"], p["age"], "1" if p["sex"] == "M" else "2", p["apache2"],
         yn(p["haematological_malignancy"]), yn(p["liver_failure"]), p["infection_source"],
         "有" if died else "無", p["death_day"], los]
    for d in JS_DAYS:
        row = by_pd.get((p["patient_id"], d))
        for _, col, f in JS_LABS:
            v = row[col] if row else ""
            if col == "ventilated":
                r.append({"true": "有", "false": "無"}.get(v, ""))
            else:
                r.append(f(num(v)) if v != "" else "")
    for pre, drug in JS_DRUGS:
        c = courses.get(p["patient_id"], {}).get(drug)
        r += ["有", c["start_day"], c["end_day"]] if c else ["無", "", ""]
    rows.append(r)
write(os.path.join(ROOT, "j-septic", "export.csv"), header, rows)

# --- 2. claims-style extract with dates ----------------------------------------------------
CL_DAYS = [1, 2, 4]
CL_LABS = [
    ("plt", "platelets", fmt),  # x10^9/L = x10^3/uL
    ("inr", "pt_inr", fmt),
    ("fib", "fibrinogen", lambda v: fmt(v / 100, 3)),  # g/L
    ("fdp", "fdp", fmt),
    ("ddimer", "d_dimer", lambda v: fmt(v * 1000, 1)),  # ng/mL FEU
    ("crea", "creatinine", lambda v: fmt(v * 88.4, 6)),  # umol/L
    ("bili", "bilirubin", lambda v: fmt(v * 17.1, 6)),  # umol/L
    ("temp", "temperature", lambda v: fmt(v * 9 / 5 + 32, 6)),  # F
    ("hr", "heart_rate", fmt),
    ("map", "map", fmt),
    ("gcs", "gcs", fmt),
    ("pf", "pao2_fio2", fmt),
]
CL_DRUGS = [("at", "antithrombin"), ("tm", "thrombomodulin"), ("hep", "heparin"),
            ("pi", "protease_inhibitor")]
header = ["adm_id", "hosp_code", "age", "gender", "adm_date", "disc_date", "died_in_hospital",
          "drg_code"]
for d in CL_DAYS:
    header += [f"{s}_{d}" for s, _, _ in CL_LABS]
for pre, _ in CL_DRUGS:
    header += [f"{pre}_start_date", f"{pre}_end_date"]
rows = []
for i, p in enumerate(patients):
    a = admission(i)
    day = lambda k: (a + dt.timedelta(days=int(k) - 1)).strftime("%d.%m.%Y")
    r = [p["patient_id"], "H" + p["site_id"][1:], p["age"],
         "male" if p["sex"] == "M" else "female", day(1), day(stay_end(p)),
         "Y" if p["death_day"] else "N", "DRG-" + str(100 + (i * 37) % 17)]
    for d in CL_DAYS:
        row = by_pd.get((p["patient_id"], d))
        for _, col, f in CL_LABS:
            v = row[col] if row else ""
            r.append(f(num(v)) if v != "" else "")
    for pre, drug in CL_DRUGS:
        c = courses.get(p["patient_id"], {}).get(drug)
        r += [day(c["start_day"]), day(c["end_day"])] if c else ["", ""]
    rows.append(r)
write(os.path.join(ROOT, "claims", "claims.csv"), header, rows, delimiter=";")

# --- 3. long-format lab export -------------------------------------------------------------
LL = os.path.join(ROOT, "long-labs")
header = ["subject_id", "site", "age", "sex", "apache", "hm", "lf", "hospital_death",
          "discharge_day", "source_of_infection"]
rows = []
for p in patients:
    b = lambda k: "1" if bools[p[k]] else "0"
    rows.append([p["patient_id"], p["site_id"], p["age"], p["sex"], p["apache2"],
                 b("haematological_malignancy"), b("liver_failure"),
                 "1" if p["death_day"] else "0", stay_end(p), p["infection_source"]])
write(os.path.join(LL, "patients.csv"), header, rows)
site = {p["patient_id"]: p["site_id"] for p in patients}
# (test name, canonical column, unit)
TESTS = [("PLT", "platelets", "10^3/uL"), ("PT-INR", "pt_inr", "INR"),
         ("PT-RATIO", "pt_ratio", "ratio"), ("FIB", "fibrinogen", "mg/dL"),
         ("FDP", "fdp", "ug/mL"), ("DDIMER", "d_dimer", "ug/mL FEU"),
         ("AT3", "antithrombin", "%"), ("TEMP", "temperature", "C"),
         ("HR", "heart_rate", "/min"), ("RR", "resp_rate", "/min"), ("WBC", "wbc", "10^3/uL"),
         ("PF", "pao2_fio2", "mmHg"), ("MAP", "map", "mmHg"), ("GCS", "gcs", "points"),
         ("TBIL", "bilirubin", "mg/dL"), ("CRE", "creatinine", "mg/dL")]
rows = []
for d in days:
    pid = d["patient_id"]
    for name, col, unit in TESTS:
        v = d[col]
        if v == "":
            continue
        x = num(v)
        if name == "PLT" and site[pid] == "J03":
            rows.append([pid, d["day"], name, fmt(x / 10, 2), "10^4/uL"])
        else:
            rows.append([pid, d["day"], name, v, unit])
        if name == "PLT" and int(d["day"]) in (1, 2) and int(pid[1:]) % 5 == 0:
            # A repeat count later that day, higher: the worst (lowest) is the day's value.
            if site[pid] == "J03":
                rows.append([pid, d["day"], name, fmt(x / 10 + 1.5, 2), "10^4/uL"])
            else:
                rows.append([pid, d["day"], name, fmt(x + 15), unit])
    if d["day"] in ("1", "3"):
        rows.append([pid, d["day"], "CRP", fmt(3 + (int(pid[1:]) * 13) % 170 / 10), "mg/dL"])
write(os.path.join(LL, "labs.tsv"), ["subject_id", "day", "test", "result", "unit"], rows,
      delimiter="\t")
NAMES = {"antithrombin": "AT-III", "thrombomodulin": "rhTM", "heparin": "UFH",
         "protease_inhibitor": "nafamostat"}
rows = [[t["patient_id"], NAMES[t["drug"]], t["start_day"], t["end_day"], t["dose"],
         t["dose_unit"]] for t in treatments]
write(os.path.join(LL, "drugs.csv"),
      ["subject_id", "drug_name", "start_day", "stop_day", "dose", "dose_unit"], rows)
print("wrote examples/j-septic, examples/claims, examples/long-labs")
