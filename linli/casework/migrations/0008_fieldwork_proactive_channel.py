# The grid worker's patrol reports (fieldwork, issue 21) enter as channel "proactive".

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_channel_label"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="channel",
            field=models.CharField(
                choices=[
                    ("web", "居民网上反映"),
                    ("open311", "Open311 接口"),
                    ("window", "人工窗口代办"),
                    ("hotline", "服务热线"),
                    ("box", "意见箱"),
                    ("sensor", "感知设备"),
                    ("proactive", "网格员主动发现"),
                ],
                max_length=10,
                verbose_name="渠道",
            ),
        ),
    ]
