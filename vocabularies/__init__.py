"""Data folder, installed as piao_lod.vocabularies; located at run time by piao_lod.resources."""
