"""Data folder, installed as piao_lod.queries; located at run time by piao_lod.resources."""
