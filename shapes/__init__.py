"""Data folder, installed as piao_lod.shapes; located at run time by piao_lod.resources."""
