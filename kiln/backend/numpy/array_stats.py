"""The numpy backend's statistics, nan-reductions, sorting, searching and set ops (interface module ``array_stats``)."""
