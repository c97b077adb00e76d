"""The kk/ru/en words of agglomap's maps, in one table.

:data:`WORDS` maps a key to its text in Kazakh, Russian and English: legend and layer
names, popup rows, titles, the indicator level names (``"level.<band>"``, every band of
the TDaa levels and of the monocity assessment) and the four development scenarios
(``"scenario.<name>"``). :func:`t` looks a key up and raises :class:`UnknownWord` for a
key that is not in the table, so a missing translation is a test failure, never English
by default. :data:`UNITS` says how each language prints the units of indicator tables.
"""

from __future__ import annotations

import re

from .errors import InputError, suggest
from .references import short as _paper

LANGS = ("kk", "ru", "en")

WORDS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- legends, layers
    "no_data": {"kk": "Деректер жоқ", "ru": "Нет данных", "en": "No data"},
    "layout_notice": {
        "kk": "Деректер {table} жылғы шекаралардағы өңірлерге жатады, ал карта {map} жылғы "
        "шекаралармен салынған.",
        "ru": "Данные относятся к регионам в границах {table} г., а нарисованы на границах "
        "{map} г.",
        "en": "The data describe regions of the {table} layout, drawn here on {map} boundaries.",
    },
    "layout_notice_changed": {
        "kk": "{regions}: мәндер {table} жылғы шекарадағы өңірге жатады, оның аумағы басқа.",
        "ru": "{regions}: значения относятся к региону в границах {table} г., его территория "
        "была другой.",
        "en": "{regions}: the values describe the region as it was in {table}, with a "
        "different extent.",
    },
    "classification": {
        "kk": "Жіктеу: {scheme}, {k} класс",
        "ru": "Классификация: {scheme}, классов: {k}",
        "en": "Classification: {scheme}, {k} classes",
    },
    "classification_one": {
        "kk": "Жіктеу: {scheme}, {k} класс",
        "ru": "Классификация: {scheme}, классов: {k}",
        "en": "Classification: {scheme}, {k} class",
    },
    "boundaries": {"kk": "Шекаралар", "ru": "Границы", "en": "Boundaries"},
    "projection_note": {
        "kk": "Проекция: Альберстің тең аудандық конустық проекциясы "
        "(42° с. е., 54° с. е.; 67° ш. б.), WGS84",
        "ru": "Проекция: равновеликая коническая Альберса (42° с. ш., 54° с. ш.; 67° в. д.), WGS84",
        "en": "Projection: Albers equal-area conic (42° N, 54° N; 67° E), WGS84",
    },
    "oblast_boundaries": {
        "kk": "Облыс шекаралары",
        "ru": "Границы областей",
        "en": "Oblast boundaries",
    },
    "road": {"kk": "автожол", "ru": "автодорога", "en": "road corridor"},
    "rail": {"kk": "темір жол", "ru": "железная дорога", "en": "rail corridor"},
    "population": {"kk": "халық саны", "ru": "население", "en": "population"},
    "north": {"kk": "С", "ru": "С", "en": "N"},
    "legend": {"kk": "Шартты белгілер", "ru": "Легенда", "en": "Legend"},
    # ---------------------------------------------------------------- monocity map
    "tdaa_potential": {
        "kk": "Агломерациялық әлеует (TDaa)",
        "ru": "Агломерационный потенциал (TDaa)",
        "en": "Agglomeration potential (TDaa)",
    },
    "monocity_title": {
        "kk": "Моноқалалардың агломерациялық әлеуеті (TDaa)",
        "ru": "Агломерационный потенциал моногородов (TDaa)",
        "en": "Agglomeration potential of monocities (TDaa)",
    },
    "monocity_subtitle": {
        "kk": "Қалалар: {n} · {vintage} ж. облыстары · негіздемесі үшін қаланы басыңыз",
        "ru": "Городов: {n} · области {vintage} г. · нажмите на город, чтобы увидеть основания",
        "en": "{n} towns · {vintage} oblasts · click a town for its evidence",
    },
    "monocity_subtitle_one": {
        "kk": "Қалалар: {n} · {vintage} ж. облыстары · негіздемесі үшін қаланы басыңыз",
        "ru": "Городов: {n} · области {vintage} г. · нажмите на город, чтобы увидеть основания",
        "en": "{n} town · {vintage} oblasts · click the town for its evidence",
    },
    "towns_level": {
        "kk": "Қалалар TDaa деңгейі бойынша",
        "ru": "Города по уровню TDaa",
        "en": "Towns by TDaa level",
    },
    "towns_scenario": {
        "kk": "Қалалар ұсынылған сценарий бойынша",
        "ru": "Города по рекомендуемому сценарию",
        "en": "Towns by recommended scenario",
    },
    "town_names": {"kk": "Қала атаулары", "ru": "Названия городов", "en": "Town names"},
    "links": {
        "kk": "Ең жақын ірі қаламен байланыс",
        "ru": "Связь с ближайшим крупным городом",
        "en": "Link to nearest large city",
    },
    "rings": {"kk": "Қашықтық сақиналары", "ru": "Кольца расстояний", "en": "Distance rings"},
    "large_cities": {"kk": "Ірі қалалар", "ru": "Крупные города", "en": "Large cities"},
    "road_and_rail": {
        "kk": "автожол және темір жол",
        "ru": "авто- и железная дорога",
        "en": "road and rail",
    },
    "labels_note_population": {
        "kk": "{total} қаланың {n} атауы көрсетілген: халқы ең көптері",
        "ru": "Подписаны {n} из {total} городов: крупнейшие по населению",
        "en": "Named: {n} of {total} towns, the largest by population",
    },
    "labels_note_tdaa": {
        "kk": "{total} қаланың {n} атауы көрсетілген: TDaa ең жоғарылары",
        "ru": "Подписаны {n} из {total} городов: с наибольшим TDaa",
        "en": "Named: {n} of {total} towns, those with the highest TDaa",
    },
    "labels_note_room": {
        "kk": "{total} қаланың {n} атауы көрсетілген (қалғандарына орын не атау жоқ)",
        "ru": "Подписаны {n} из {total} городов (остальным не хватило места или названия)",
        "en": "Named: {n} of {total} towns (the others lack room or a name)",
    },
    "zones_title": {
        "kk": "Агломерация аймақтары: аудандар мен қалалық әкімдіктер",
        "ru": "Зоны агломераций: районы и городские администрации",
        "en": "Agglomeration zones: districts and city administrations",
    },
    "zone_core": {"kk": "ядро", "ru": "ядро", "en": "core"},
    "zone_ring": {
        "kk": "орталығы желі бойынша {km} км шегінде",
        "ru": "центр в пределах {km} км по сети",
        "en": "centre within {km} km by network",
    },
    "zone_official": {
        "kk": "ресми құрам",
        "ru": "официальный состав",
        "en": "official composition",
    },
    "zone_units": {"kk": "{n} бірлік", "ru": "единиц: {n}", "en": "{n} units"},
    "labels_units_note": {
        "kk": "{total} бірліктің {n} атауы көрсетілген (қалғандарына орын жоқ)",
        "ru": "Подписаны {n} из {total} единиц (остальным не хватило места)",
        "en": "named: {n} of {total} units (the others lack room at this scale)",
    },
    "labels_units_all": {
        "kk": "барлық {total} бірлік аталған",
        "ru": "подписаны все {total} единиц",
        "en": "all {total} units named",
    },
    "recommended_scenario": {
        "kk": "Ұсынылған сценарий",
        "ru": "Рекомендуемый сценарий",
        "en": "Recommended scenario",
    },
    "not_assessed": {"kk": "бағаланбаған", "ru": "не оценивался", "en": "not assessed"},
    "geodesic": {"kk": "геодезиялық", "ru": "по геодезической", "en": "geodesic"},
    "network": {"kk": "желі бойынша", "ru": "по сети", "en": "by network"},
    "circle_note": {
        "kk": "Шеңбер ауданы халық санына пропорционал.",
        "ru": "Площадь круга пропорциональна населению.",
        "en": "Circle area ∝ population.",
    },
    # ---------------------------------------------------------------- monocity popup
    "tdaa1": {
        "kk": "TDaa1 — ірі қаланың функционалдық қалалық аймағында",
        "ru": "TDaa1 — в функциональной городской зоне крупного города",
        "en": "TDaa1 — in the functional urban area of a large city",
    },
    "tdaa2": {
        "kk": "TDaa2 — ірі қалаға жақын",
        "ru": "TDaa2 — рядом с крупным городом",
        "en": "TDaa2 — next to a large city",
    },
    "tdaa3": {
        "kk": "TDaa3 — көлік дәліздерінің қиылысында",
        "ru": "TDaa3 — на пересечении транспортных коридоров",
        "en": "TDaa3 — at a crossing of transport corridors",
    },
    "tdaa_formula": {
        "kk": "TDaa = √(TDaa1 + TDaa2 + TDaa3)",
        "ru": "TDaa = √(TDaa1 + TDaa2 + TDaa3)",
        "en": "TDaa = √(TDaa1 + TDaa2 + TDaa3)",
    },
    "gravity": {
        "kk": "Гравитациялық әлеует (0–100; 100 — картадағы ең жоғары)",
        "ru": "Гравитационный потенциал (0–100; 100 — максимум на карте)",
        "en": "Gravity potential (0–100; 100 = highest town here)",
    },
    "evidence": {"kk": "Негіздеме", "ru": "Основания", "en": "Evidence"},
    "core_city": {
        "kk": "Ең жақын агломерация орталығы",
        "ru": "Ближайший центр агломерации",
        "en": "Nearest core city",
    },
    "large_city": {
        "kk": "Ең жақын ірі қала",
        "ru": "Ближайший крупный город",
        "en": "Nearest large city",
    },
    "within": {
        "kk": "Қолжетімді дәліздер",
        "ru": "Коридоры в пределах досягаемости",
        "en": "Corridors within reach",
    },
    "nearest_corridor": {
        "kk": "Ең жақын дәліз",
        "ru": "Ближайший коридор",
        "en": "Nearest corridor",
    },
    "assessment": {
        "kk": f"Моноқаланы бағалау ({_paper('monocity_paper', 'kk')} әдістемесі)",
        "ru": f"Оценка моногорода (методика: {_paper('monocity_paper', 'ru')})",
        "en": f"Monocity assessment (method of {_paper('monocity_paper', 'en')})",
    },
    "ranking": {"kk": "Рейтинг", "ru": "Ранжирование", "en": "Ranking"},
    "ranking_paper": {
        "kk": "Мақаладағы рейтинг (5-кесте)",
        "ru": "Ранжирование в статье (табл. 5)",
        "en": "Ranking in the paper (table 5)",
    },
    # ---------------------------------------------------------------- indicator levels
    "why.core_city": {
        "kk": "ең жақын ірі қала {city} {km} км {how} {op} {limit} км",
        "ru": "ближайший крупный город {city} {km} км {how} {op} {limit} км",
        "en": "nearest core city {city} {km} km {how} {op} {limit} km",
    },
    "why.large_city": {
        "kk": "ең жақын облыс/республика маңызы бар қала {city} {km} км {how} {op} {limit} км",
        "ru": "ближайший город областного/республиканского значения {city} {km} км {how} "
        "{op} {limit} км",
        "en": "nearest city of oblast or republican significance {city} {km} km {how} "
        "{op} {limit} km",
    },
    "why.corridors": {
        "kk": "{limit} км ішінде {n} дәліз (кемінде {need} керек)",
        "ru": "коридоров в пределах {limit} км: {n} (нужно не менее {need})",
        "en": "{n} corridor(s) within {limit} km (at least {need} needed)",
    },
    "why.none": {
        "kk": "жетімді жерде ірі қала жоқ",
        "ru": "крупного города в пределах досягаемости нет",
        "en": "no large city within reach",
    },
    "how.network": {"kk": "жолмен", "ru": "по дорогам", "en": "by road"},
    "how.geodesic": {"kk": "түзу бойымен", "ru": "по прямой", "en": "in a straight line"},
    "sheet.columns": {"kk": "Бағандар", "ru": "Столбцы", "en": "Columns"},
    "sheet.scores": {"kk": "TDaa бағалары", "ru": "Оценки TDaa", "en": "TDaa scores"},
    "sheet.assessment": {"kk": "Бағалау", "ru": "Оценка", "en": "Assessment"},
    "column.column": {"kk": "Баған", "ru": "Столбец", "en": "Column"},
    "column.meaning": {"kk": "Мағынасы", "ru": "Значение", "en": "Meaning"},
    "column.unit": {"kk": "Өлшем бірлігі", "ru": "Единица", "en": "Unit"},
    "level.very low": {"kk": "өте төмен", "ru": "очень низкий", "en": "very low"},
    "level.low": {"kk": "төмен", "ru": "низкий", "en": "low"},
    "level.below average": {"kk": "орташадан төмен", "ru": "ниже среднего", "en": "below average"},
    "level.average": {"kk": "орташа", "ru": "средний", "en": "average"},
    "level.above average": {
        "kk": "орташадан жоғары",
        "ru": "выше среднего",
        "en": "above average",
    },
    "level.medium": {"kk": "орташа", "ru": "средний", "en": "medium"},
    "level.above medium": {"kk": "орташадан жоғары", "ru": "выше среднего", "en": "above medium"},
    "level.high": {"kk": "жоғары", "ru": "высокий", "en": "high"},
    # ---------------------------------------------------------------- development scenarios
    "scenario.inertial": {"kk": "инерциялық", "ru": "инерционный", "en": "inertial"},
    "scenario.balanced": {"kk": "теңгерімді", "ru": "сбалансированный", "en": "balanced"},
    "scenario.innovative": {"kk": "инновациялық", "ru": "инновационный", "en": "innovative"},
    "scenario.diversification": {
        "kk": "әртараптандыру",
        "ru": "диверсификационный",
        "en": "diversification",
    },
    # ---------------------------------------------------------------- classification schemes
    "scheme.quantiles": {"kk": "квантильдер", "ru": "квантили", "en": "quantiles"},
    "scheme.equal_interval": {
        "kk": "тең аралықтар",
        "ru": "равные интервалы",
        "en": "equal intervals",
    },
    "scheme.natural_breaks": {
        "kk": "табиғи шекаралар",
        "ru": "естественные границы",
        "en": "natural breaks",
    },
    "scheme.fisher_jenks": {
        "kk": "табиғи шекаралар (Фишер–Дженкс)",
        "ru": "естественные границы (Фишер–Дженкс)",
        "en": "natural breaks (Fisher–Jenks)",
    },
    "scheme.jenks_caspall": {
        "kk": "табиғи шекаралар (Дженкс–Каспалл)",
        "ru": "естественные границы (Дженкс–Каспалл)",
        "en": "natural breaks (Jenks–Caspall)",
    },
    "scheme.maximum_breaks": {
        "kk": "ең үлкен үзілістер",
        "ru": "наибольшие разрывы",
        "en": "maximum breaks",
    },
    "scheme.std_mean": {
        "kk": "орташа ± стандартты ауытқу",
        "ru": "среднее ± стандартное отклонение",
        "en": "mean ± standard deviation",
    },
    "scheme.percentiles": {"kk": "процентильдер", "ru": "процентили", "en": "percentiles"},
    "scheme.user_defined": {
        "kk": "пайдаланушы шекаралары",
        "ru": "границы пользователя",
        "en": "user-defined breaks",
    },
    # ---------------------------------------------------------------- default choropleth
    "layer.innovative_share_grp_pct": {
        "kk": "ЖӨӨ-дегі инновациялық өнімдер үлесі, 2021",
        "ru": "Доля инновационной продукции в ВРП, 2021",
        "en": "Share of innovative products in GRP, 2021",
    },
    "layer.innovation_activity_pct": {
        "kk": "Кәсіпорындардың инновациялық белсенділік деңгейі, 2021",
        "ru": "Уровень инновационной активности предприятий, 2021",
        "en": "Level of innovation activity of enterprises, 2021",
    },
    "innovation_title": {
        "kk": "Қазақстан өңірлеріндегі инновациялар, 2021",
        "ru": "Инновации в регионах Казахстана, 2021",
        "en": "Innovation in the regions of Kazakhstan, 2021",
    },
    "innovation_subtitle": {
        "kk": "ҚР Ұлттық статистика бюросы; өңірлер 2018–2022 жж. шекарасында",
        "ru": "Бюро национальной статистики РК; регионы в границах 2018–2022 гг.",
        "en": "Bureau of National Statistics RK; regions in the 2018–2022 layout",
    },
    # ---------------------------------------------------------------- outputs/index.html
    "index_title": {
        "kk": "agglomap нәтижелері",
        "ru": "Результаты agglomap",
        "en": "agglomap outputs",
    },
    "index_file": {"kk": "файл", "ru": "файл", "en": "file"},
    "index_what": {"kk": "сипаттамасы", "ru": "описание", "en": "what it is"},
    "index_size": {"kk": "көлемі", "ru": "размер", "en": "size"},
    "index_sources": {"kk": "дереккөздер", "ru": "источники", "en": "sources"},
    "size.B": {"kk": "Б", "ru": "Б", "en": "B"},
    "size.KB": {"kk": "КБ", "ru": "КБ", "en": "KB"},
    "size.MB": {"kk": "МБ", "ru": "МБ", "en": "MB"},
    "size.GB": {"kk": "ГБ", "ru": "ГБ", "en": "GB"},
    "index_meta": {
        "kk": "Файлдар: {n} · {created} жасалды, agglomap {version}",
        "ru": "Файлов: {n} · создано {created}, agglomap {version}",
        "en": "{n} files · generated {created} by agglomap {version}",
    },
    # --- agglomap run: index descriptions ---
    "run.oblasts": {
        "kk": "{n} облыс шекарасы, {vintage} ж. бөлінісі (geokz, CC BY 4.0)",
        "ru": "границы областей: {n}, деление {vintage} г. (geokz, CC BY 4.0)",
        "en": "{n} oblast boundaries, {vintage} layout (geokz, CC BY 4.0)",
    },
    "run.districts": {
        "kk": "{n} аудан шекарасы, {vintage} ж. бөлінісі (geokz, CC BY 4.0)",
        "ru": "границы районов: {n}, деление {vintage} г. (geokz, CC BY 4.0)",
        "en": "{n} district boundaries, {vintage} layout (geokz, CC BY 4.0)",
    },
    "run.cities": {
        "kk": "қалалар анықтамалығы: {n} қала",
        "ru": "справочник городов (всего {n})",
        "en": "gazetteer: {n} cities",
    },
    "run.cities_table": {
        "kk": "қалалар анықтамалығы кесте түрінде",
        "ru": "справочник городов в виде таблицы",
        "en": "gazetteer as a table",
    },
    "run.corridors": {
        "kk": "{n} көлік дәлізі (автожол және темір жол) сызық түрінде",
        "ru": "транспортные коридоры (авто- и железные дороги) линиями: {n}",
        "en": "{n} transport corridors (road and rail) as lines",
    },
    "run.innovation_layer": {
        "kk": "2021 жылғы инновация көрсеткіштері облыстар бойынша (қабат)",
        "ru": "показатели инноваций 2021 г. по областям (слой)",
        "en": "2021 innovation indicators by oblast (layer)",
    },
    "run.innovation_table": {
        "kk": "2021 жылғы инновация көрсеткіштері облыстар бойынша (кесте)",
        "ru": "показатели инноваций 2021 г. по областям (таблица)",
        "en": "2021 innovation indicators by oblast (table)",
    },
    "run.scores_monocities": {
        "kk": "TDaa мен гравитациялық әлеует дәлелдерімен, {n} моноқала ({fmt})",
        "ru": "TDaa и гравитационный потенциал с обоснованием, моногорода: {n} ({fmt})",
        "en": "TDaa and gravity with evidence, the {n} monocities ({fmt})",
    },
    "run.scores_all": {
        "kk": "TDaa мен гравитациялық әлеует дәлелдерімен, барлық {n} қала ({fmt})",
        "ru": "TDaa и гравитационный потенциал с обоснованием, все города: {n} ({fmt})",
        "en": "TDaa and gravity with evidence, all {n} cities ({fmt})",
    },
    "run.tdaa_vs_paper": {
        "kk": "есептелген TDaa мақаланың сараптамалық мәндерімен салыстырғанда "
        "(Балқаш, Қаражал, Теміртау)",
        "ru": "рассчитанные TDaa в сравнении с экспертными значениями статьи "
        "(Балхаш, Каражал, Темиртау)",
        "en": "TDaa computed vs the paper's expert values (Balkhash, Karazhal, Temirtau)",
    },
    "run.scores_workbook": {
        "kk": "{n} моноқаланың TDaa бағалары оқырманға арналған кітапта (xlsx)",
        "ru": "оценки TDaa {n} моногородов — книга для читателя (xlsx)",
        "en": "TDaa scores of {n} monocities, workbook for readers (xlsx)",
    },
    "run.assessment_workbook": {
        "kk": "моноқалаларды бағалау оқырманға арналған кітапта (xlsx)",
        "ru": "оценка моногородов — книга для читателя (xlsx)",
        "en": "monocity assessment, workbook for readers (xlsx)",
    },
    "run.assessment": {
        "kk": "моноқалалар көрсеткіштері, деңгейлері және сценарийлер рейтингі ({fmt})",
        "ru": "показатели моногородов, уровни и ранжирование сценариев ({fmt})",
        "en": "monocity indicators, levels and scenario ranking ({fmt})",
    },
    "run.assessment_vs_paper": {
        "kk": "есептелген бағалау мақаламен салыстырғанда, көрсеткіштер мен сценарийлер бойынша",
        "ru": "рассчитанная оценка в сравнении со статьёй, по показателям и сценариям",
        "en": "assessment computed vs the paper, per indicator and scenario",
    },
    "run.choropleth_html": {
        "kk": "картограмма: ЖӨӨ-дегі инновациялық өнімдер, инновациялық белсенділік, 2021 "
        "(HTML, желісіз)",
        "ru": "картограмма: инновационная продукция в ВРП, инновационная активность, 2021 "
        "(HTML, офлайн)",
        "en": "choropleth: innovative products in GRP, innovation activity, 2021 (HTML, offline)",
    },
    "run.monocities_html": {
        "kk": "моноқалалар TDaa деңгейі және сценарий бойынша, дәлелдерімен (HTML, желісіз)",
        "ru": "моногорода по уровню TDaa и сценарию, с обоснованием (HTML, офлайн)",
        "en": "monocities by TDaa level and scenario, with evidence (HTML, offline)",
    },
    "run.choropleth_static": {
        "kk": "есептерге арналған статикалық картограмма ({fmt})",
        "ru": "статичная картограмма для отчётов ({fmt})",
        "en": "static choropleth for reports ({fmt})",
    },
    "run.monocities_static": {
        "kk": "есептерге арналған моноқалалардың статикалық картасы ({fmt})",
        "ru": "статичная карта моногородов для отчётов ({fmt})",
        "en": "static monocity map for reports ({fmt})",
    },
    "run.screenshot": {
        "kk": "{page} скриншоты",
        "ru": "снимок экрана {page}",
        "en": "screenshot of {page}",
    },
}

# Reader workbooks (agglomap.workbooks): column key -> {lang: (header, meaning)}; the unit
# of each column is a key of UNITS ("" = none). CSV and GeoPackage keep the machine keys.
READER_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "town": {
        "kk": ("Қала", "Қаланың атауы"),
        "ru": ("Город", "Название города"),
        "en": ("Town", "Name of the town"),
    },
    "region": {
        "kk": ("Облыс", "Қала орналасқан облыс (2022 жылғы бөлініс)"),
        "ru": ("Область", "Область, в которой лежит город (деление 2022 г.)"),
        "en": ("Region", "Oblast the town lies in (2022 layout)"),
    },
    "population": {
        "kk": ("Халық саны", "Тұрғындар саны (газеттир: 2021 санақ немесе ҰСБ бағалауы)"),
        "ru": ("Население", "Число жителей (справочник: перепись 2021 или оценка БНС)"),
        "en": ("Population", "Inhabitants (gazetteer: 2021 census or BNS estimate)"),
    },
    "tdaa1": {
        "kk": ("TDaa1", "Ірі қаланың функционалдық аймағында (100) немесе жоқ (0)"),
        "ru": ("TDaa1", "В функциональной зоне крупного города (100) или нет (0)"),
        "en": ("TDaa1", "In the functional urban area of a large city (100) or not (0)"),
    },
    "tdaa2": {
        "kk": ("TDaa2", "Облыстық/республикалық маңызы бар ірі қалаға жақын (100) немесе жоқ (0)"),
        "ru": (
            "TDaa2",
            "Рядом с крупным городом областного/республиканского значения (100) или нет (0)",
        ),
        "en": ("TDaa2", "Near a large city of oblast or republican significance (100) or not (0)"),
    },
    "tdaa3": {
        "kk": ("TDaa3", "Көлік дәліздерінің қиылысында (100) немесе жоқ (0)"),
        "ru": ("TDaa3", "На пересечении транспортных коридоров (100) или нет (0)"),
        "en": ("TDaa3", "At a crossing of transport corridors (100) or not (0)"),
    },
    "tdaa": {
        "kk": ("TDaa", "Агломерациялық әлеует, TDaa1–3-тен (0–100)"),
        "ru": ("TDaa", "Агломерационный потенциал из TDaa1–3 (0–100)"),
        "en": ("TDaa", "Agglomeration potential from TDaa1–3 (0–100)"),
    },
    "tdaa_level": {
        "kk": ("TDaa деңгейі", "TDaa деңгейі"),
        "ru": ("Уровень TDaa", "Уровень TDaa"),
        "en": ("TDaa level", "Level of TDaa"),
    },
    "tdaa1_why": {
        "kk": ("TDaa1 неге", "TDaa1 мәнінің себебі"),
        "ru": ("TDaa1: почему", "Почему TDaa1 такое"),
        "en": ("TDaa1 why", "Why TDaa1 has its value"),
    },
    "tdaa2_why": {
        "kk": ("TDaa2 неге", "TDaa2 мәнінің себебі"),
        "ru": ("TDaa2: почему", "Почему TDaa2 такое"),
        "en": ("TDaa2 why", "Why TDaa2 has its value"),
    },
    "tdaa3_why": {
        "kk": ("TDaa3 неге", "TDaa3 мәнінің себебі"),
        "ru": ("TDaa3: почему", "Почему TDaa3 такое"),
        "en": ("TDaa3 why", "Why TDaa3 has its value"),
    },
    "gravity": {
        "kk": (
            "Гравитациялық әлеует",
            "Қалалардың халқы қашықтыққа қарай кемітілген қосынды (индекс)",
        ),
        "ru": (
            "Гравитационный потенциал",
            "Сумма населения городов, ослабленного с расстоянием (индекс)",
        ),
        "en": ("Gravity potential", "Sum of cities' populations discounted by distance (index)"),
    },
    "core_city": {
        "kk": ("Ең жақын ірі қала", "Ең жақын ірі қала (TDaa1)"),
        "ru": ("Ближайший крупный город", "Ближайший крупный город (TDaa1)"),
        "en": ("Nearest core city", "Nearest large city (TDaa1)"),
    },
    "core_city_km": {
        "kk": ("Ірі қалаға дейін, км", "Ең жақын ірі қалаға дейінгі қашықтық"),
        "ru": ("До крупного города, км", "Расстояние до ближайшего крупного города"),
        "en": ("Core city, km", "Distance to the nearest core city"),
    },
    "large_city": {
        "kk": (
            "Ең жақын облыс орталығы",
            "Облыстық/республикалық маңызы бар ең жақын қала (TDaa2)",
        ),
        "ru": ("Ближайший центр", "Ближайший город областного/республиканского значения (TDaa2)"),
        "en": ("Nearest large city", "Nearest city of oblast or republican significance (TDaa2)"),
    },
    "large_city_km": {
        "kk": ("Орталыққа дейін, км", "Сол қалаға дейінгі қашықтық"),
        "ru": ("До центра, км", "Расстояние до этого города"),
        "en": ("Large city, km", "Distance to that city"),
    },
    "nearest_corridor": {
        "kk": ("Ең жақын дәліз", "Ең жақын көлік дәлізі"),
        "ru": ("Ближайший коридор", "Ближайший транспортный коридор"),
        "en": ("Nearest corridor", "Nearest transport corridor"),
    },
    "nearest_corridor_km": {
        "kk": ("Дәлізге дейін, км", "Ең жақын дәлізге дейінгі қашықтық (түзу бойымен)"),
        "ru": ("До коридора, км", "Расстояние до ближайшего коридора (по прямой)"),
        "en": ("Corridor, km", "Distance to the nearest corridor (straight line)"),
    },
    "n_corridors_counted": {
        "kk": ("Дәліздер саны", "Жетімді жердегі жеке дәліздер (бағыттар) саны"),
        "ru": (
            "Число коридоров",
            "Число отдельных коридоров (направлений) в пределах досягаемости",
        ),
        "en": ("Corridors counted", "Distinct corridors (routes) within reach"),
    },
    "distance_kind": {
        "kk": ("Қашықтық түрі", "Қашықтықтар қалай өлшенді"),
        "ru": ("Вид расстояний", "Как измерены расстояния"),
        "en": ("Distances", "How distances were measured"),
    },
    "tdm": {
        "kk": ("TDm", "Моно-бейінділік: √(TDm1·TDm2)"),
        "ru": ("TDm", "Монопрофильность: √(TDm1·TDm2)"),
        "en": ("TDm", "Mono-profile: √(TDm1·TDm2)"),
    },
    "tdm_level": {
        "kk": ("TDm деңгейі", "TDm деңгейі"),
        "ru": ("Уровень TDm", "Уровень TDm"),
        "en": ("TDm level", "Level of TDm"),
    },
    "tdea": {
        "kk": ("TDea", "Экономика және әлеуметтік сала: √(TDe·TDa)"),
        "ru": ("TDea", "Экономика и социальная сфера: √(TDe·TDa)"),
        "en": ("TDea", "Economy and social sphere: √(TDe·TDa)"),
    },
    "tdea_level": {
        "kk": ("TDea деңгейі", "TDea деңгейі"),
        "ru": ("Уровень TDea", "Уровень TDea"),
        "en": ("TDea level", "Level of TDea"),
    },
    "tdda": {
        "kk": ("TDda", "Демография"),
        "ru": ("TDda", "Демография"),
        "en": ("TDda", "Demography"),
    },
    "tdda_level": {
        "kk": ("TDda деңгейі", "TDda деңгейі"),
        "ru": ("Уровень TDda", "Уровень TDda"),
        "en": ("TDda level", "Level of TDda"),
    },
    "tdzhia": {
        "kk": ("TDzhia", "Жеке инвестициялар"),
        "ru": ("TDzhia", "Частные инвестиции"),
        "en": ("TDzhia", "Private investment"),
    },
    "tdzhia_level": {
        "kk": ("TDzhia деңгейі", "TDzhia деңгейі"),
        "ru": ("Уровень TDzhia", "Уровень TDzhia"),
        "en": ("TDzhia level", "Level of TDzhia"),
    },
    "tdsp": {
        "kk": ("TDsp", "Ерекше әлеует (шикізат, туризм)"),
        "ru": ("TDsp", "Особый потенциал (сырьё, туризм)"),
        "en": ("TDsp", "Special potential (raw materials, tourism)"),
    },
    "tdsp_level": {
        "kk": ("TDsp деңгейі", "TDsp деңгейі"),
        "ru": ("Уровень TDsp", "Уровень TDsp"),
        "en": ("TDsp level", "Level of TDsp"),
    },
    "plus_inertial": {
        "kk": ("+ инерциялық", "«инерциялық» сценарийінің қосу ұпайлары"),
        "ru": ("+ инерционный", "Плюс-баллы сценария «инерционный»"),
        "en": ("+ inertial", "Plus-points of the inertial scenario"),
    },
    "plus_balanced": {
        "kk": ("+ теңгерімді", "«теңгерімді» сценарийінің қосу ұпайлары"),
        "ru": ("+ сбалансированный", "Плюс-баллы сценария «сбалансированный»"),
        "en": ("+ balanced", "Plus-points of the balanced scenario"),
    },
    "plus_innovative": {
        "kk": ("+ инновациялық", "«инновациялық» сценарийінің қосу ұпайлары"),
        "ru": ("+ инновационный", "Плюс-баллы сценария «инновационный»"),
        "en": ("+ innovative", "Plus-points of the innovative scenario"),
    },
    "plus_diversification": {
        "kk": ("+ әртараптандыру", "«әртараптандыру» сценарийінің қосу ұпайлары"),
        "ru": ("+ диверсификация", "Плюс-баллы сценария «диверсификация»"),
        "en": ("+ diversification", "Plus-points of the diversification scenario"),
    },
    "scenario_ranking": {
        "kk": ("Сценарийлер рейтингі", "Сценарийлер қосу ұпайлары бойынша, көбінен азына"),
        "ru": ("Ранжирование сценариев", "Сценарии по плюс-баллам, от большего к меньшему"),
        "en": ("Scenario ranking", "Scenarios by plus-points, most first"),
    },
    "top_scenario": {
        "kk": ("Ұсынылатын сценарий", "Ең көп қосу ұпайы бар сценарий"),
        "ru": ("Рекомендуемый сценарий", "Сценарий с наибольшим числом плюс-баллов"),
        "en": ("Recommended scenario", "Scenario with the most plus-points"),
    },
}
READER_UNITS: dict[str, str] = {
    "population": "persons",
    "core_city_km": "km",
    "large_city_km": "km",
    "nearest_corridor_km": "km",
}

# Units as written in data files -> how each language prints them ("" = no unit shown).
UNITS: dict[str, dict[str, str]] = {
    "%": {"kk": "%", "ru": "%", "en": "%"},
    "count": {"kk": "", "ru": "", "en": ""},
    "mln tenge": {"kk": "млн ₸", "ru": "млн ₸", "en": "mln ₸"},
    "km": {"kk": "км", "ru": "км", "en": "km"},
    "km2": {"kk": "км²", "ru": "км²", "en": "km²"},
    "persons": {"kk": "адам", "ru": "чел.", "en": "persons"},
}

# "<scale> tenge" as indicators.py guesses it from a header ("млн tenge", "thousand tenge"):
# the scale word in any spelling -> how each language prints it.
_TENGE_SCALES: dict[str, dict[str, str]] = {
    "bln": {"kk": "млрд", "ru": "млрд", "en": "bln"},
    "mln": {"kk": "млн", "ru": "млн", "en": "mln"},
    "thousand": {"kk": "мың", "ru": "тыс.", "en": "thous."},
}
_SCALE_ALIASES = {
    "bln": "bln", "bn": "bln", "billion": "bln", "млрд": "bln",
    "mln": "mln", "million": "mln", "млн": "mln",
    "thousand": "thousand", "thous": "thousand", "тыс": "thousand", "мың": "thousand",
}  # fmt: skip
# only the exact form the table reader writes ("тыс tenge"); a unit as the user typed it
# ("тыс. тенге", "млн тг") is printed verbatim
_TENGE_RE = re.compile(r"^(?:(\w+) )?tenge$")

LEVEL_PREFIX = "level."
SCENARIO_PREFIX = "scenario."
SCHEME_PREFIX = "scheme."
SCENARIOS = tuple(k.removeprefix(SCENARIO_PREFIX) for k in WORDS if k.startswith(SCENARIO_PREFIX))
_SCENARIO_RE = re.compile(r"\b(" + "|".join(map(re.escape, SCENARIOS)) + r")\b")


class UnknownWord(KeyError):
    """A key that :data:`WORDS` does not hold (a programming error, not a user one)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown map word"


def check_lang(lang: str) -> str:
    """``lang`` if it is one of kk/ru/en, else an InputError naming the choices."""
    if lang not in LANGS:
        hint = suggest(str(lang), LANGS)
        raise InputError(
            f"unknown language {lang!r}; expected one of {', '.join(LANGS)}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
        )
    return lang


def t(key: str, lang: str) -> str:
    """The map word ``key`` in ``lang``; :class:`UnknownWord` if there is no such key."""
    lang = check_lang(lang)
    entry = WORDS.get(key)
    if entry is None:
        close = suggest(str(key), list(WORDS))
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownWord(f"no map word {key!r} in agglomap.i18n.WORDS{hint}")
    return entry[lang]


def unit_label(unit: str | None, lang: str) -> str:
    """How ``unit`` is printed in ``lang``: :data:`UNITS` and the table reader's
    ``"<scale> tenge"`` translated, any other unit (e.g. a user's ``--unit``) verbatim."""
    lang = check_lang(lang)
    if not unit:
        return ""
    if unit in UNITS:
        return UNITS[unit][lang]
    money = _TENGE_RE.match(unit)
    if money:
        scale = money.group(1)
        if scale is None:
            return "₸"
        key = _SCALE_ALIASES.get(scale.lower())
        if key is not None:
            return f"{_TENGE_SCALES[key][lang]} ₸"
    return unit


_CURRENCY_WORDS = ("₸", "тенге", "теңге", "tenge", "kzt", "тг")


def _unit_tokens(text: str) -> list[str]:
    """Lower-case words of ``text`` with every spelling of tenge as "₸" and of a scale
    word as its key (млн → mln, тыс./мың/thousand → thousand)."""
    words = re.findall(r"[^\W\d_]+|[%₸²]|\d+", str(text).lower().replace("km2", "км²"))
    out = []
    for word in words:
        if word in _CURRENCY_WORDS:
            word = "₸"
        word = _SCALE_ALIASES.get(word, word)
        out.append({"km": "км", "persons": "чел", "адам": "чел"}.get(word, word))
    return out


def names_unit(name: str, unit: str | None, lang: str) -> bool:
    """Whether ``name`` (a column name or title) already states ``unit`` at its end, in any
    spelling: "Инвестиции, млн тенге" states "mln tenge" (printed "млн ₸"), so a legend
    does not add ", млн ₸" again."""
    if not unit:
        return True
    tail = _unit_tokens(name)
    for spelling in {unit, unit_label(unit, lang), *(unit_label(unit, x) for x in LANGS)}:
        want = _unit_tokens(spelling)
        if want and tail[-len(want) :] == want:
            return True
    return False


def scheme_name(scheme: str, lang: str) -> str:
    """A classification scheme (``"fisher_jenks"``) by name in ``lang``; unknown as given."""
    key = SCHEME_PREFIX + str(scheme)
    return t(key, lang) if key in WORDS else str(scheme).replace("_", " ")


def level_key(value: object) -> str | None:
    """``"Above_medium"`` → ``"above medium"`` if that is a known level name, else None."""
    if not isinstance(value, str):
        return None
    key = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    return key if LEVEL_PREFIX + key in WORDS else None


def level_word(value: object, lang: str) -> str:
    """An indicator level name (``"above average"``) in ``lang``; text that is not a known
    level (e.g. from a user's table) is returned as given, a missing value as ``""``."""
    key = level_key(value)
    if key is not None:
        return t(LEVEL_PREFIX + key, lang)
    check_lang(lang)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def scenario_text(text: object, lang: str) -> str:
    """Scenario names in ``lang`` inside a text such as ``"innovative > balanced = inertial"``;
    a missing value is ``""``."""
    check_lang(lang)
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _SCENARIO_RE.sub(lambda m: t(SCENARIO_PREFIX + m.group(1), lang), str(text))
