"""The roundups (月晾晒、季通报、年考核): periods, the report object and its HTML / Excel / PDF formatters.

The numbers are computed by ``tasks.selectors.roundups.roundup_data`` and frozen in a
``Roundup`` snapshot; everything in this package only reads that snapshot.
"""
