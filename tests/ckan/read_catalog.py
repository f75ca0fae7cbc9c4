"""Read a DCAT catalogue with CKAN's own harvester parser (ckanext-dcat's RDFParser, default profile) and print
what CKAN would store for each dataset, as JSON: run by tests/test_site_harvesters.py in tests/ckan/.venv."""

import json
import sys

from ckanext.dcat.processors import RDFParser


def main(path: str, rdf_format: str) -> None:
    parser = RDFParser()
    with open(path, encoding="utf-8") as catalogue:
        parser.parse(catalogue.read(), _format=rdf_format)
    datasets = []
    for dataset in parser.datasets():
        extras = {extra["key"]: extra["value"] for extra in dataset.get("extras", [])}
        datasets.append({
            "title": dataset.get("title"), "license_id": dataset.get("license_id"), "url": dataset.get("url"),
            "uri": extras.get("uri"), "identifier": extras.get("identifier"), "issued": extras.get("issued"),
            "modified": extras.get("modified"), "contact_email": extras.get("contact_email"),
            "publisher_name": extras.get("publisher_name"),
            "resources": [{"url": resource.get("url"), "download_url": resource.get("download_url"),
                           "format": resource.get("format"), "mimetype": resource.get("mimetype"),
                           "license": resource.get("license"), "size": resource.get("size"),
                           "hash": resource.get("hash"), "hash_algorithm": resource.get("hash_algorithm")}
                          for resource in dataset.get("resources", [])],
        })
    json.dump(datasets, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "xml")
