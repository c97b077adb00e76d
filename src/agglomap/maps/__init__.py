"""Maps: self-contained web maps (Leaflet inlined) and static images.

- :mod:`agglomap.maps.web` — shared machinery: base map, legend, title, attribution,
  HTML escaping, labels, number formats, simplification for the web, saving.
- :mod:`agglomap.maps.choropleth` — regional indicator maps classified with mapclassify.
- :mod:`agglomap.maps.monocities` — the monocity web map (TDaa, evidence, assessment).
- :mod:`agglomap.maps.static` — PNG/SVG choropleths and monocity map for reports.
- :mod:`agglomap.maps.style` — TDaa level order and colours shared by web and static maps.
- :mod:`agglomap.maps.index` — ``outputs/index.html``.

Every kk/ru/en word comes from :mod:`agglomap.i18n`.
"""
