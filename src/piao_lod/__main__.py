from piao_lod.cli import app

app(prog_name="piao-lod")
