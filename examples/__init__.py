"""Data folder, installed as piao_lod.examples; located at run time by piao_lod.resources."""
