"""Name matching: the spellings planners meet in statistics tables, old and new, three scripts."""

from __future__ import annotations

import pytest

from agglomap import names, settings
from agglomap.errors import InputError
from agglomap.gazetteer import load_cities
from agglomap.regions import load_regions

REGION_SPELLINGS = [
    # capital, old names and the generic word "city"
    ("Нур-Султан", "KZ-71"),
    ("г. Нур-Султан", "KZ-71"),
    ("Nur-Sultan (city)", "KZ-71"),
    ("Akmolinsk", "KZ-71"),
    ("Astana", "KZ-71"),
    ("Нұр-Сұлтан қаласы", "KZ-71"),
    # Almaty: the city alone, the oblast when an oblast word says so
    ("Almaty", "KZ-75"),
    ("Алматы", "KZ-75"),
    ("г.Алматы", "KZ-75"),
    ("Almaty (city)", "KZ-75"),
    ("Алма-Ата", "KZ-75"),
    ("Алматинская обл.", "KZ-19"),
    ("Алматинская область", "KZ-19"),
    ("Алматы облысы", "KZ-19"),
    ("Almaty oblast", "KZ-19"),
    ("Almaty Region", "KZ-19"),
    ("ALMATY  OBLYSY", "KZ-19"),
    ("Shymkent", "KZ-79"),
    ("Chimkent", "KZ-79"),
    ("Шымкент қаласы", "KZ-79"),
    ("Нур-Султан г.а.", "KZ-71"),
    ("Алматы қ.ә.", "KZ-75"),
    ("Южно-Казахстанская область", "KZ-61"),
    ("South Kazakhstan", "KZ-61"),
    ("Туркестанская область", "KZ-61"),
    ("Turkestan", "KZ-61"),
    # Kazakh letters, a Latin i among Cyrillic, capitals, romanisations
    ("Солтүстiк Қазақстан", "KZ-59"),
    ("Солтүстік Қазақстан облысы", "KZ-59"),
    ("СЕВЕРО-КАЗАХСТАНСКАЯ ОБЛАСТЬ", "KZ-59"),
    ("North Kazakhstan Region", "KZ-59"),
    ("Қарағанды облысы", "KZ-35"),
    ("Карагандинская область", "KZ-35"),
    ("Karagandy", "KZ-35"),
    ("Qaraghandy", "KZ-35"),
    ("Karaganda region", "KZ-35"),
    ("Qaraghandy oblysy", "KZ-35"),
    ("Шығыс Қазақстан облысы", "KZ-63"),
    ("Восточно-Казахстанская", "KZ-63"),
    ("West Kazakhstan", "KZ-27"),
    ("Батыс Қазақстан облысы", "KZ-27"),
    ("Jambyl", "KZ-31"),
    ("Жамбылская область", "KZ-31"),
    ("Mangghystau", "KZ-47"),
    ("Мангистауская область", "KZ-47"),
    ("Qostanay oblysy", "KZ-39"),
    ("Кзыл-Ординская область", "KZ-43"),
    ("Akmola", "KZ-11"),
    ("Ақмола облысы", "KZ-11"),
    ("Гурьевская область", "KZ-23"),
    ("Aktobe Region", "KZ-15"),
    ("Pavlodar", "KZ-55"),
    ("Qarağandy oblysy", "KZ-35"),  # Kazakh Latin alphabet of 2021
    ("Şymkent", "KZ-79"),
    ("Türkistan oblysy", "KZ-61"),
    # Kazakh Latin alphabet of 2018 (acutes: ý is у, ı is й/і) ...
    ("Atyraý oblysy", "KZ-23"),
    ("Mańǵystaý oblysy", "KZ-47"),
    ("Túrkistan oblysy", "KZ-61"),
    ("Shyǵys Qazaqstan oblysy", "KZ-63"),
    ("Soltústik Qazaqstan", "KZ-59"),
    ("Qaraǵandy", "KZ-35"),
    ("Almaty qalasy", "KZ-75"),
    ("Astana qalasy", "KZ-71"),
    ("Abaı oblysy", "KZ-10"),
    ("Jetisý oblysy", "KZ-33"),
    ("Ulytaý oblysy", "KZ-62"),
    ("ATYRAÝ OBLYSY", "KZ-23"),
    # ... and of 2017 (apostrophes: y' is у, g' is ғ, n' is ң)
    ("Man'g'ystay' oblysy", "KZ-47"),
    ("Shyg'ys Qazaqstan", "KZ-63"),
    ("Aqto’be oblysy", "KZ-15"),
    # regions of 2022
    ("Zhetysu", "KZ-33"),
    ("Жетісу облысы", "KZ-33"),
    ("Ulytau", "KZ-62"),
    ("Область Ұлытау", "KZ-62"),
    ("Abai", "KZ-10"),
    ("Abay oblysy", "KZ-10"),
    ("Абайская область", "KZ-10"),
    # codes
    ("KZ-AKM", "KZ-11"),
    ("kz-ala", "KZ-75"),
    ("KZ-YUZ", "KZ-61"),
    ("KZ-11", "KZ-11"),
    ("KZ11", "KZ-11"),
    ("110000000", "KZ-11"),
    ("750000000", "KZ-75"),
    ("19", "KZ-19"),
    ("KZ-62", "KZ-62"),
]

CITY_SPELLINGS = [
    ("Нур-Султан", "astana"),
    ("г. Нур-Султан", "astana"),
    ("Akmolinsk", "astana"),
    ("Целиноград", "astana"),
    ("Chimkent", "shymkent"),
    ("Ust-Kamenogorsk", "oskemen"),
    ("Усть-Каменогорск", "oskemen"),
    ("Өскемен", "oskemen"),
    ("Семипалатинск", "semey"),
    ("Гурьев", "atyrau"),
    ("Uralsk", "oral"),
    ("Орал қаласы", "oral"),
    ("Almaty", "almaty"),
    ("Karagandy", "karaganda"),
    ("Qaraghandy", "karaganda"),
    ("Караганда", "karaganda"),
    ("Kapchagay", "konaev"),
    ("Qonaev", "konaev"),
    ("Zyryanovsk", "altai"),
    ("Petropavlovsk", "petropavl"),
    ("Dzhambul", "taraz"),
    ("Kustanai", "kostanay"),
    ("Kzyl-Orda", "kyzylorda"),
    ("Shevchenko", "aktau"),
    ("Новый Узень", "zhanaozen"),
    ("Сәтбаев", "satpayev"),
    ("Satpaev", "satpayev"),
    ("Nikolsky", "satpayev"),
    ("Aksay", "aksai"),
    ("Abay", "abai"),
    ("Aksu", "aksu"),
    ("Ermak", "aksu"),
    ("Zhezqazghan", "zhezkazgan"),
    ("Balqash", "balkhash"),
    ("Fort-Shevchenko", "fort-shevchenko"),
    ("Öskemen", "oskemen"),
    ("Şymkent", "shymkent"),
    ("Jezqazğan", "zhezkazgan"),
]


@pytest.mark.parametrize(("name", "region_id"), REGION_SPELLINGS)
def test_match_region(name, region_id):
    assert names.match_region(name) == region_id


@pytest.mark.parametrize(("name", "city_id"), CITY_SPELLINGS)
def test_match_city(name, city_id):
    assert names.match_city(name) == city_id


def test_enough_spellings_are_tested():
    assert len(REGION_SPELLINGS) + len(CITY_SPELLINGS) >= 60


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Алматинская обл.", "алматинская"),
        ("  Almaty   oblast ", "almaty"),
        ("Солтүстiк Қазақстан облысы", "солтустик казакстан"),
        ("г. Нур-Султан", "нур султан"),
        ("Шымкент (город республиканского значения)", "шымкент"),
        ("Ёлка", "елка"),
        ("Atyraý oblysy", "atyrau"),
        ("Mańǵystaý", "mangystau"),
        ("Man'g'ystay'", "mangystau"),
        ("Şymkent qalasy", "shymkent"),
        ("Abaı", "abai"),
        ("JETİSU OBLYSY", "jetisu"),  # casefold makes İ an i with a combining dot
    ],
)
def test_normalize(text, key):
    assert names.normalize(text) == key


def test_latin_key_lets_romanisations_meet():
    keys = {names.latin_key(s) for s in ("Qaraghandy", "Karagandy", "Қарағанды", "KARAGANDY")}
    assert keys == {"karagandi"}
    assert names.latin_key("Zhetysu") == names.latin_key("Jetisu") == names.latin_key("Жетісу")
    assert names.latin_key("Chimkent") == names.latin_key("Шымкент")


def test_every_table_name_matches_its_own_region():
    for row in load_regions().itertuples():
        for name in (row.name_kk, row.name_ru, row.name_en, *row.aliases.split(";")):
            assert names.match_region(name) == row.region_id, name


def test_every_city_name_and_variant_matches_its_own_city():
    for row in load_cities().itertuples():
        for name in (row.name_kk, row.name_ru, row.name_en, *filter(None, row.variants.split(";"))):
            assert names.match_city(name) == row.city_id, name


def test_unknown_region_names_the_input_and_suggests():
    with pytest.raises(InputError) as err:
        names.match_region("Karaganady")
    assert "Karaganady" in str(err.value)
    assert "Karaganda" in str(err.value)


@pytest.mark.parametrize(
    ("name", "first"),
    [
        # generic words no longer decide: "oblysy" once made 'Almaty oblast' the first guess
        ("Atyrý oblysy", "'Atyrau Region' (KZ-23)"),
        ("Mańǵystaq oblysy", "'Mangystau Region' (KZ-47)"),
        ("Jetisi oblysy", "'Jetisu Region' (KZ-33)"),
        # suggestions in the script the name is written in
        ("Карагандинска", "'Карагандинская область' (Karaganda Region, KZ-35)"),
        ("Солтустік Казакстон", "'Солтүстік Қазақстан облысы' (North Kazakhstan Region, KZ-59)"),
    ],
)
def test_first_suggestion_is_the_right_region(name, first):
    with pytest.raises(InputError) as err:
        names.match_region(name)
    assert f"did you mean {first}" in str(err.value)


def test_suggestions_name_each_region_once():
    with pytest.raises(InputError) as err:
        names.match_region("Karaganady")
    message = str(err.value)
    assert message.count("KZ-35") == 1 and "Karaganda Region" in message


def test_unknown_city_names_the_input_and_suggests():
    with pytest.raises(InputError) as err:
        names.match_city("Karaganady")
    assert "Karaganady" in str(err.value) and "Karaganda" in str(err.value)
    with pytest.raises(InputError, match="empty"):
        names.match_city("  ")


def test_vintage_refuses_regions_not_in_it():
    assert names.match_region("Abai", vintage="2022") == "KZ-10"
    with pytest.raises(InputError) as err:
        names.match_region("Abai", vintage="2018")
    assert "2018" in str(err.value) and "East Kazakhstan" in str(err.value)
    with pytest.raises(InputError, match="2018"):
        names.match_region("KZ-62", vintage=2018)
    assert names.match_region("Karagandy", vintage="2018") == "KZ-35"


def test_codes_that_are_no_region_are_refused():
    with pytest.raises(InputError, match="KZ-99"):
        names.match_region("KZ-99")
    with pytest.raises(InputError):
        names.match_region("KZ-XYZ")


def test_match_regions_lists_every_unknown_name_with_rows():
    column = ["Akmola", "Karaganady", "Almaty", "Atlantis"]
    with pytest.raises(InputError) as err:
        names.match_regions(column, path="table.csv", column="region")
    message = str(err.value)
    assert message.startswith("table.csv")
    assert "row 3" in message and "Karaganady" in message and "Karaganda" in message
    assert "row 5" in message and "Atlantis" in message
    assert "row 2" not in message and "row 4" not in message


def test_match_regions_single_error_carries_its_row():
    with pytest.raises(InputError) as err:
        names.match_regions(["Akmola", "Atlantis"], path="t.xlsx", column="name", first_row=5)
    assert err.value.row == 6 and err.value.column == "name"


def test_match_regions_maps_a_whole_2018_table():
    table = load_regions()
    in_2018 = table[table["vintages"].str.contains("2018")]
    ids = names.match_regions(list(in_2018["name_ru"]), vintage="2018")
    assert ids == list(in_2018["region_id"])
    assert len(set(ids)) == 17


@pytest.mark.parametrize("layer", ["kaz_admbnda_adm1_2018", "kaz_admbnda_adm1_2024"])
def test_every_name_and_code_in_the_geokz_layers_matches(sources_dir, layer):
    import pyogrio

    table = pyogrio.read_dataframe(sources_dir / "geokz" / f"{layer}.shp", read_geometry=False)
    vintage = "2018" if layer.endswith("2018") else "2022"
    for row in table.itertuples():
        expected = f"KZ-{str(row.KATO)[:2]}"
        for value in (row.ISO_3166_2, row.ADM1_PCODE, str(row.KATO)):
            assert names.match_region(value, vintage=vintage) == expected, value
        for value in (row.ADM1_EN, row.ADM1_KK, row.ADM1_RU):
            if value in ("Almaty", "Алматы"):
                # geokz names the oblast bare "Almaty"; by our rule a bare "Almaty" is the
                # city, so geokz rows must be matched by code, never by this name
                assert names.match_region(value) == "KZ-75"
                continue
            assert names.match_region(value, vintage=vintage) == expected, value


def test_cells_read_by_pandas_are_understood():
    assert names.match_region(110000000.0) == "KZ-11"  # a KATO column read as floats
    assert names.match_region(19) == "KZ-19"
    with pytest.raises(InputError) as err:
        names.match_regions(["Akmola", float("nan")], first_row=2)
    assert "row 3" in str(err.value) and "empty" in str(err.value)


# --- district names in a table of regions -------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Аршалынский район",  # the usual spelling; geokz writes "Aршалинский"
        "Aршалинский",  # geokz's own, with its Latin A
        "Аршалы ауданы",
        "Arshaly District",
        "Аршалинский р-н",
    ],
)
def test_district_name_is_recognised_as_one(name, sources_dir):
    with pytest.raises(names.DistrictNameError) as err:
        names.match_region(name)
    assert err.value.regions == ("KZ-11",)
    assert "district-level unit of Akmola Region (KZ-11)" in str(err.value)
    assert "did you mean" not in str(err.value)


def test_oblast_word_is_never_read_as_a_district(sources_dir):
    # "Abai" is a district of Karaganda Region too, and "Абай облысы" a region
    assert names.match_region("Абай облысы") == "KZ-10"
    with pytest.raises(InputError) as err:
        names.match_region("Аршалы облысы")
    assert not isinstance(err.value, names.DistrictNameError)


def test_moved_districts_are_known_without_geokz(tmp_path, sources_dir):
    empty = tmp_path / "no_sources"
    empty.mkdir()
    with settings.override(sources_dir=empty):
        assert names.district_regions("Абайский район", "2022") == ["KZ-10"]
        assert names.district_regions("Аршалынский район") == []
    assert names.district_regions("Аршалынский район") == ["KZ-11"]  # geokz at hand


DISTRICT_TABLE = [
    "Аршалынский район",
    "Аккольский район",
    "Целиноградский район",
    "Бурабайский р-н",
    "Kokshetau",
    "Karaganady",
]


def test_a_table_of_districts_is_named_as_such(sources_dir):
    with pytest.raises(InputError) as err:
        names.match_regions(DISTRICT_TABLE, path="districts.csv", column="Район")
    message = str(err.value)
    assert message.startswith("districts.csv, column 'Район': 6 region names not recognised")
    assert "5 of these look like district names (e.g. 'Аршалынский район')" in message
    assert "district-level joins are not supported by the oblast reader" in message
    assert "row 7: unknown region 'Karaganady'; did you mean" in message
    # district rows get no oblast suggestions
    assert "row 2: 'Аршалынский район' is a district-level unit" in message
    assert message.count("did you mean") == 1


def test_one_district_name_in_a_table_of_regions_is_no_district_table(sources_dir):
    column = ["Akmola", "Karaganady", "Atlantis", "Аршалынский район"]
    with pytest.raises(InputError) as err:
        names.match_regions(column)
    message = str(err.value)
    assert "row 5: 'Аршалынский район' is a district-level unit" in message
    assert "district-level joins" not in message
    hint = "district-level joins are not supported by the oblast reader"
    with pytest.raises(InputError, match=hint) as err:
        names.match_regions(["Akmola", "Аршалынский район"])
    assert err.value.row == 3


def test_match_regions_with_explicit_rows():
    with pytest.raises(InputError) as err:
        names.match_regions(["Karaganady", "Atlantis"], rows=[4, 9], column="c")
    assert "row 4: unknown region 'Karaganady'" in str(err.value)
    assert "row 9: unknown region 'Atlantis'" in str(err.value)
    with pytest.raises(InputError) as err:
        names.match_regions(["Akmola", "Atlantis"], rows=[3, 12])
    assert err.value.row == 12
