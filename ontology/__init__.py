"""Data folder, installed as piao_lod.ontology; located at run time by piao_lod.resources."""
