"""Data folder, installed as piao_lod.site; located at run time by piao_lod.resources."""
