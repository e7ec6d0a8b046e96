"""Table rules from pypdfium2's path objects, fed to pdfplumber's table finder.

pdfplumber finds ruled tables from the page's edges, but getting those edges means
pdfminer parsing the whole page (about 20 pages/s). pypdfium2 already has the page
parsed: its path objects give the same edges (every straight axis-aligned segment of
every drawn path, rectangles as four sides, in page coordinates measured from the top),
and pdfplumber's own functions with its default `lines` settings turn them into cell
boxes. tests/test_readers_pdf.py checks the boxes equal `page.find_tables()` on the
real PDFs.
"""
from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import filter_edges

from extractors.readers.pdf_page import Matrix, PageSpace, compose, object_matrix, page_objects

# pdfplumber's TableSettings defaults for the `lines` strategy.
SNAP_TOLERANCE = 3
JOIN_TOLERANCE = 3
EDGE_MIN_LENGTH = 3
EDGE_MIN_LENGTH_PREFILTER = 1
INTERSECTION_TOLERANCE = 3
_AXIS_TOLERANCE = 0.01   # a segment whose ends differ by less than this is horizontal/vertical

Box = tuple[float, float, float, float]


def _path_points(obj, matrix: Matrix) -> list[list[tuple[float, float]]]:
    """The path's straight-line subpaths as point lists in page space (curves break them)."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind != pdfium_c.FPDF_SEGMENT_LINETO:
            if len(current) > 1:
                subpaths.append(current)
            current = [point]  # a move, or a curve we do not follow: start again at its end
            continue
        current.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            current.append(current[0])
            subpaths.append(current)
            current = [point]
    if len(current) > 1:
        subpaths.append(current)
    return subpaths


def _edge(p0: tuple[float, float], p1: tuple[float, float], space: PageSpace) -> dict | None:
    """A pdfplumber edge (displayed-page coordinates) for an axis-aligned segment, else None."""
    x0, top, x1, bottom = space.box(*p0, *p1)
    if x1 - x0 < _AXIS_TOLERANCE:
        orientation = "v"
    elif bottom - top < _AXIS_TOLERANCE:
        orientation = "h"
    else:
        return None
    return {"object_type": "line", "orientation": orientation, "x0": x0, "x1": x1, "top": top,
            "bottom": bottom, "doctop": top, "width": x1 - x0, "height": bottom - top}


def page_edges(page: pdfium.PdfPage) -> list[dict]:
    """Horizontal and vertical edges of every path drawn on the page, forms included."""
    space = PageSpace.of(page)
    edges: list[dict] = []
    for obj, outer in page_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH):
        for points in _path_points(obj, compose(object_matrix(obj), outer)):
            edges.extend(e for p0, p1 in zip(points, points[1:]) if (e := _edge(p0, p1, space)))
    return edges


def find_table_cells(page: pdfium.PdfPage) -> list[list[Box]]:
    """Cell boxes (x0, top, x1, bottom) of each ruled table, as pdfplumber would find them."""
    return cells_from_edges(page_edges(page))


def cells_from_edges(edges: list[dict]) -> list[list[Box]]:
    """Cell boxes of each table the rules draw (pdfplumber edges, in points from the top)."""
    edges = filter_edges(edges, min_length=EDGE_MIN_LENGTH_PREFILTER)
    edges = merge_edges(edges, SNAP_TOLERANCE, SNAP_TOLERANCE, JOIN_TOLERANCE, JOIN_TOLERANCE)
    edges = filter_edges(edges, min_length=EDGE_MIN_LENGTH)
    intersections = edges_to_intersections(edges, INTERSECTION_TOLERANCE, INTERSECTION_TOLERANCE)
    return cells_to_tables(intersections_to_cells(intersections))
