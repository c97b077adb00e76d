"""Maps: self-contained web maps (Leaflet inlined) and static images.

- :mod:`agglomap.maps.web` — shared machinery: base map, legend, title, attribution,
  HTML escaping, labels in kk/ru/en, simplification for the web, saving.
- :mod:`agglomap.maps.choropleth` — regional indicator maps classified with mapclassify.
"""
