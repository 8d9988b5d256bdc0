"""Chinese names of road classes (OSM highway=* and the synthetic hierarchy)."""

ROAD_CLASS_LABELS = {
    "motorway": "高速公路", "motorway_link": "高速匝道", "trunk": "快速路/干线", "trunk_link": "干线匝道",
    "primary": "主干道", "primary_link": "主干道连接线", "secondary": "次干道", "secondary_link": "次干道连接线",
    "tertiary": "支路", "tertiary_link": "支路连接线", "unclassified": "未分级道路", "road": "道路",
    "residential": "居住区道路", "living_street": "生活街道", "service": "服务道路", "busway": "公交专用道",
    "expressway": "高速公路（合成）", "expressway_link": "互通匝道（合成）", "national": "国道（合成）",
    "provincial": "省道（合成）", "county": "县道（合成）", "township": "乡道（合成）",
}


def class_label(name: str) -> str:
    return ROAD_CLASS_LABELS.get(name, name)
