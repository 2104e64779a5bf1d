"""English strings for the care app (merged into en_translations.EN)."""

EN: dict[str, str] = {
    # devices and gateways (CARE-1)
    "水表": "Water meter",
    "电表": "Electricity meter",
    "门磁": "Door sensor",
    "红外人体感应": "Infrared motion sensor",
    "一键呼叫": "One-key call button",
    "网关": "Gateway",
    "网关名称": "Gateway name",
    "所属社区": "Community",
    "启用": "Active",
    "设备编号": "Serial number",
    "设备类型": "Device type",
    "住户": "Household",
    "使用人": "User",
    "安装日期": "Installed on",
    "安装位置": "Location in the home",
    "电量(%)": "Battery (%)",
    "表计量程": "Register range",
    "在用": "In use",
    "最近上报": "Last seen",
    "看护设备": "Care device",
    "读数": "Reading",
    "设备状态": "Device state",
}
