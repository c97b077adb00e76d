"""agglomap: geospatial analysis and maps for spatial planners in Kazakhstan.

Data flows one way: sources → layers (boundaries, cities, corridors, indicators)
→ metrics (distances, agglomeration scores, monocity assessment) → maps and exports.
"""

__version__ = "0.1.0"
