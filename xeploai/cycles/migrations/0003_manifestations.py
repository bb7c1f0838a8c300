"""The 27 manifestations of degradation (Resolution 04-NQ/TW, 2016) as reference data.

The texts are short forms of the resolution's wording, for ticking on the self-review form;
an administrator can correct them in the admin.
"""

from __future__ import annotations

from django.db import migrations

MANIFESTATIONS = {
    1: [
        "Phai nhạt lý tưởng cách mạng; dao động, giảm sút niềm tin vào mục tiêu độc lập dân tộc"
        " và chủ nghĩa xã hội; hoài nghi chủ nghĩa Mác - Lê-nin, tư tưởng Hồ Chí Minh.",
        "Xa rời tôn chỉ, mục đích của Đảng; không kiên định con đường xã hội chủ nghĩa;"
        " phụ họa theo nhận thức lệch lạc, quan điểm sai trái.",
        "Nhận thức sai về vai trò của học tập lý luận chính trị; lười học tập chủ trương,"
        " đường lối của Đảng, pháp luật của Nhà nước; ngại tiếp thu tri thức mới.",
        "Không còn ý thức hết lòng vì nước, vì dân; không làm tròn chức trách, nhiệm vụ được"
        " giao; làm việc qua loa, đại khái, kém hiệu quả.",
        "Thiếu tinh thần tự phê bình và phê bình; trong phê bình thì nể nang, né tránh, ngại va"
        " chạm, thấy đúng không bảo vệ, thấy sai không đấu tranh.",
        "Tự do vô tổ chức, vô kỷ luật; không chấp hành nghiêm nguyên tắc tập trung dân chủ,"
        " sự phân công của tổ chức.",
        "Nói và làm không đi đôi; nói một đằng, làm một nẻo; nói trong hội nghị một đằng,"
        " nói ngoài hội nghị một nẻo.",
        "Dao động, thiếu niềm tin, nói, viết, làm trái quan điểm, đường lối của Đảng;"
        " phát tán thông tin sai sự thật.",
        "Không thực hiện đúng chế độ sinh hoạt đảng, không đóng đảng phí, không giữ mối liên"
        " hệ với chi bộ nơi cư trú.",
    ],
    2: [
        "Cá nhân chủ nghĩa, sống ích kỷ, thực dụng, cơ hội, vụ lợi; chỉ lo vun vén cá nhân,"
        " không quan tâm lợi ích tập thể.",
        "Vô cảm, thờ ơ, thiếu trách nhiệm trước khó khăn, bức xúc của nhân dân; quan liêu, xa"
        " dân.",
        "Tham vọng chức quyền, kén chọn chức danh, vị trí công tác; chạy chức, chạy quyền,"
        " chạy thành tích, khen thưởng, bằng cấp.",
        "Độc đoán, chuyên quyền, gia trưởng; không tôn trọng tập thể; thiếu trung thực,"
        " không dám chịu trách nhiệm.",
        "Tham ô, tham nhũng, lãng phí; lợi dụng chức vụ, quyền hạn để trục lợi; nhận tiền,"
        " quà biếu để làm sai.",
        "Kèn cựa địa vị, tranh chức, tranh quyền; bè phái, cục bộ, gây mất đoàn kết nội bộ.",
        "Lợi dụng chức vụ để bổ nhiệm, sắp xếp người thân, người quen; kéo bè kéo cánh,"
        " \"lợi ích nhóm\".",
        "Sống xa hoa, lãng phí, hưởng lạc; sa vào tệ nạn xã hội, mê tín dị đoan.",
        "Không chăm lo giáo dục gia đình; để vợ, chồng, con, người thân lợi dụng chức vụ,"
        " quyền hạn của mình để trục lợi.",
    ],
    3: [
        "Phản bác, phủ nhận chủ nghĩa Mác - Lê-nin, tư tưởng Hồ Chí Minh, đường lối đổi mới"
        " của Đảng.",
        "Phủ nhận vai trò lãnh đạo duy nhất của Đảng; đòi \"đa nguyên chính trị, đa đảng đối"
        " lập\", \"tam quyền phân lập\".",
        "Đòi \"phi chính trị hóa\" quân đội và công an; xuyên tạc đường lối quốc phòng,"
        " an ninh.",
        "Xuyên tạc lịch sử, bôi nhọ lãnh tụ, anh hùng dân tộc.",
        "Phủ nhận nền kinh tế thị trường định hướng xã hội chủ nghĩa; cổ xúy tư nhân hóa"
        " trái đường lối của Đảng.",
        "Cấu kết, móc nối với các thế lực thù địch, phản động, tổ chức chống phá Đảng, Nhà"
        " nước.",
        "Lợi dụng dân chủ, nhân quyền, dân tộc, tôn giáo để kích động, gây chia rẽ khối đại"
        " đoàn kết toàn dân tộc.",
        "Tán phát tài liệu, thông tin trên mạng xã hội có nội dung trái quan điểm, đường lối"
        " của Đảng, chính sách, pháp luật của Nhà nước.",
        "Mơ hồ, mất cảnh giác trước âm mưu \"diễn biến hòa bình\"; né tránh, không dám đấu"
        " tranh với quan điểm sai trái, thù địch.",
    ],
}


def load(apps, schema_editor):
    Manifestation = apps.get_model("cycles", "Manifestation")
    number = 0
    for group, texts in MANIFESTATIONS.items():
        for index, text in enumerate(texts, start=1):
            number += 1
            Manifestation.objects.update_or_create(
                number=number, defaults={"group": group, "index": index, "text": text}
            )


def unload(apps, schema_editor):
    apps.get_model("cycles", "Manifestation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cycles", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]
