"""The lab: how the shipped results in ``data/`` were made and are checked.

Not part of the course package: ``comgan_lite`` never imports it.  ``bench/`` scripts and the
maintainers use it to score finished runs and ship them (``lab.ship``), to decide when a long run
stopped moving (``lab.settling``), to measure where a trapped mask's gradient lies
(``lab.trap``), and to build the Table 4 analog (``lab.table4``).
"""
