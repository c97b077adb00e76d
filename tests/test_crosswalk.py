"""The 2018 ↔ 2022 crosswalk: the moved-district list checked against real boundaries,
and re-aggregation of counts, amounts and rates."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from agglomap.crosswalk import (
    district_names,
    load_districts,
    match_district,
    reaggregate,
    unit_2018,
)
from agglomap.errors import InputError
from agglomap.regions import regions_for

REPO = Path(__file__).resolve().parents[1]
NEW_REGIONS = {"KZ-10": "KZ-63", "KZ-33": "KZ-19", "KZ-62": "KZ-35"}


def _region_id(kato: pd.Series) -> pd.Series:
    """ISO 3166-2:KZ numeric code = first two digits of the KATO code."""
    return "KZ-" + kato.astype(str).str.zfill(9).str[:2]


@pytest.fixture(scope="module")
def geokz(sources_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    folder = sources_dir / "geokz"
    layers = {}
    for key, stem in {
        "adm1_2018": "kaz_admbnda_adm1_2018",
        "adm1_2024": "kaz_admbnda_adm1_2024",
        "adm2_2024": "kaz_admbnda_adm2_2024",
    }.items():
        gdf = gpd.read_file(folder / f"{stem}.shp")
        gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy())
        gdf["region_id"] = _region_id(gdf["KATO"])
        layers[key] = gdf
    return layers


def _names(row: pd.Series) -> set[str]:
    return district_names(
        {
            "name_kk": row["ADM2_KK"],
            "name_ru": row["ADM2_RU"],
            "name_en": row["ADM2_EN"],
            "aliases": "",
        }
    )


def test_shipped_copy_is_identical_to_geo_source():
    shipped = REPO / "src" / "agglomap" / "data" / "crosswalk_districts.csv"
    assert shipped.read_bytes() == (REPO / "geo" / "crosswalk_districts.csv").read_bytes()


def test_district_table_is_well_formed():
    d = load_districts()
    assert d["district_id"].is_unique
    assert set(d["kind"]) <= {"city", "district"}
    assert dict(zip(d["region_2022"], d["region_2018"], strict=True)) == NEW_REGIONS
    assert d.groupby("region_2022").size().to_dict() == {"KZ-10": 12, "KZ-33": 10, "KZ-62": 5}
    # the oblast-level crosswalk in regions.csv says the same
    assert {k: unit_2018()[k] for k in NEW_REGIONS} == NEW_REGIONS


def test_list_matches_the_2024_districts_of_the_new_regions(geokz):
    """Every 2024 district of Abai, Jetisu and Ulytau is listed, and nothing else is."""
    adm2 = geokz["adm2_2024"]
    new = adm2[adm2["region_id"].isin(NEW_REGIONS)]
    assert len(new) == 27
    ours = load_districts()
    found: dict[str, str] = {}
    for _, row in new.iterrows():
        hits = [d["district_id"] for _, d in ours.iterrows() if district_names(d) & _names(row)]
        assert len(hits) == 1, f"{row['ADM2_EN']} / {row['ADM2_RU']} matched {hits}"
        found[hits[0]] = row["region_id"]
    assert sorted(found) == sorted(ours["district_id"])
    # and each lies in the region the list says
    assert found == dict(zip(ours["district_id"], ours["region_2022"], strict=True))


def test_districts_lie_in_their_2018_oblast_and_2022_region(geokz):
    adm2, old, new = geokz["adm2_2024"], geokz["adm1_2018"], geokz["adm1_2024"]
    ours = load_districts()
    old_poly = old.set_index("region_id").geometry
    new_poly = new.set_index("region_id").geometry
    for _, d in ours.iterrows():
        row = next(r for _, r in adm2.iterrows() if district_names(d) & _names(r))
        point = row.geometry.representative_point()
        assert old_poly[d["region_2018"]].contains(point), d["name_en"]
        assert new_poly[d["region_2022"]].contains(point), d["name_en"]


def test_no_other_district_lies_in_the_new_regions(geokz):
    """Districts outside the list keep their region: their points are not in a new region."""
    adm2, new = geokz["adm2_2024"], geokz["adm1_2024"]
    others = adm2[~adm2["region_id"].isin(NEW_REGIONS)]
    points = gpd.GeoSeries(others.geometry.representative_point(), crs=adm2.crs)
    new_union = new[new["region_id"].isin(NEW_REGIONS)].geometry.union_all()
    assert not points.within(new_union).any()


def test_match_district_by_any_name():
    assert match_district("Абайский район") == "abai_district"
    assert match_district("Semey") == match_district("город Семей") == "semey"
    assert match_district("Satpaev") == "satpayev"
    with pytest.raises(InputError, match="Zhezkazgan"):
        match_district("Zhezkazgn")


# Synthetic, made-up numbers (not statistics): 20 units of the 2022 layout.
def _synthetic_2022() -> pd.DataFrame:
    ids = list(regions_for("2022")["region_id"])
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "region_id": ids,
            "people": rng.integers(100_000, 2_000_000, len(ids)).astype(float),
            "budget_mln": rng.uniform(1_000, 90_000, len(ids)).round(1),
            "employed": rng.integers(50_000, 900_000, len(ids)).astype(float),
        }
    )


KINDS = {"people": "count", "budget_mln": "amount", "employed": "count", "rate": "rate"}


def test_counts_sum_2022_to_2018():
    df = _synthetic_2022()
    out = reaggregate(df, ["people", "budget_mln"], KINDS)
    assert list(out.index) == list(regions_for("2018")["region_id"])
    v = df.set_index("region_id")
    assert out.at["KZ-63", "people"] == v.at["KZ-63", "people"] + v.at["KZ-10", "people"]
    assert out.at["KZ-19", "budget_mln"] == pytest.approx(
        v.at["KZ-19", "budget_mln"] + v.at["KZ-33", "budget_mln"]
    )
    assert out.at["KZ-35", "people"] == v.at["KZ-35", "people"] + v.at["KZ-62", "people"]
    assert out.at["KZ-71", "people"] == v.at["KZ-71", "people"]
    assert out["people"].sum() == v["people"].sum()  # nothing lost or counted twice


def test_missing_part_gives_nan_not_a_partial_sum():
    df = _synthetic_2022()
    df = df[df["region_id"] != "KZ-62"]  # Ulytau missing
    out = reaggregate(df, ["people"], "count")
    assert np.isnan(out.at["KZ-35", "people"])
    assert out["people"].notna().sum() == 16


def test_rate_column_refused_with_reason():
    df = _synthetic_2022().assign(rate=12.5)
    with pytest.raises(InputError, match="'rate'.*rate or share.*numerator and denominator"):
        reaggregate(df, ["people", "rate"], KINDS)


def test_ratio_recomputed_from_numerator_and_denominator():
    df = _synthetic_2022()
    df["rate"] = df["employed"] / df["people"] * 100
    out = reaggregate(
        df, ["people", "employed", "rate"], KINDS, ratios={"rate": ("employed", "people", 100)}
    )
    v = df.set_index("region_id")
    expected = (
        (v.at["KZ-63", "employed"] + v.at["KZ-10", "employed"])
        / (v.at["KZ-63", "people"] + v.at["KZ-10", "people"])
        * 100
    )
    assert out.at["KZ-63", "rate"] == pytest.approx(expected)
    # not the mean of the two rates
    assert out.at["KZ-63", "rate"] != pytest.approx(
        (v.at["KZ-63", "rate"] + v.at["KZ-10", "rate"]) / 2
    )


def test_2018_to_2022_refused_without_district_data():
    df = _synthetic_2022()
    old = reaggregate(df, ["people"], "count")
    with pytest.raises(InputError, match="without district data"):
        reaggregate(old, ["people"], "count", from_vintage="2018", to_vintage="2022")


def test_2018_to_2022_with_district_data_round_trips():
    df = _synthetic_2022()
    old = reaggregate(df, ["people"], "count")
    d = load_districts()
    # synthetic district values that add up to each new region's made-up total
    v = df.set_index("region_id")["people"]
    shares = d.groupby("region_2022")["district_id"].transform(lambda s: 1 / len(s))
    districts = pd.DataFrame({"district": d["name_ru"], "people": d["region_2022"].map(v) * shares})
    new = reaggregate(
        old, ["people"], "count", from_vintage="2018", to_vintage="2022", districts=districts
    )
    assert new["people"].to_numpy() == pytest.approx(v.reindex(new.index).to_numpy())
    with pytest.raises(InputError, match="incomplete.*Kurchatov"):
        reaggregate(
            old,
            ["people"],
            "count",
            from_vintage="2018",
            to_vintage="2022",
            districts=districts[d["district_id"] != "kurchatov"],
        )


def test_region_of_the_wrong_layout_refused():
    df = _synthetic_2022()
    with pytest.raises(InputError, match="not units of the 2018 layout"):
        reaggregate(df, ["people"], "count", from_vintage="2018", to_vintage="2022")
