"""A labelled set for matching: eight research topics, each with a reviewer's own writing and a proposal in English,
Chinese and Russian. A reviewer's keywords and a proposal's text say the same thing in different words; the
writing shares meaning with the proposal, not a keyword list."""

TOPICS = ["geology", "seismology", "plasma", "isru", "astronomy", "life", "robotics", "communications"]

# topic -> language -> (reviewer keywords, reviewer writing, proposal title, proposal abstract)
CORPUS = {
    "geology": {
        "en": (
            "petrology, mineralogy",
            "We describe the grain size distribution and mineral composition of lunar regolith returned from the "
            "mare basalts. Agglutinates and impact glass dominate the fine fraction; space weathering darkens the "
            "soil over time. Stratigraphy of the regolith layers records the impact history of the surface.",
            "Regolith structure at the landing site",
            "A ground-penetrating radar and a sampling drill will map the layering of the lunar soil and measure "
            "the grain size and mineral content of basalt fragments and impact glass down to two metres.",
        ),
        "zh": (
            "岩石学, 矿物学",
            "我们分析了月海玄武岩区域返回样品中月壤的粒度分布和矿物组成。撞击玻璃和胶结物在细颗粒中占主导，"
            "太空风化使月壤颜色变暗。月壤层的地层记录了月球表面的撞击历史。",
            "着陆区月壤结构探测",
            "利用探地雷达和采样钻探测月壤分层结构，测量两米深度内玄武岩碎屑和撞击玻璃的粒度与矿物成分。",
        ),
        "ru": (
            "петрология, минералогия",
            "Мы изучили гранулометрический состав и минералогию лунного реголита из морских базальтов. "
            "Агглютинаты и импактное стекло преобладают в тонкой фракции, космическое выветривание делает грунт "
            "темнее. Слои реголита хранят историю ударов по поверхности.",
            "Строение реголита в районе посадки",
            "Георадар и буровой пробоотборник определят слоистость лунного грунта, гранулометрический состав "
            "и содержание минералов в обломках базальта и импактном стекле на глубину до двух метров.",
        ),
    },
    "seismology": {
        "en": (
            "moonquakes, interior structure",
            "Deep and shallow quakes recorded by the Apollo seismometers constrain the thickness of the lunar crust "
            "and mantle. We invert travel times of seismic waves and study thermal quakes at sunrise.",
            "A broadband seismometer network on the far side",
            "Three broadband seismic stations will record quakes, meteoroid impacts and thermal events to measure "
            "wave travel times through the crust, mantle and core of the Moon.",
        ),
        "zh": (
            "月震, 内部结构",
            "阿波罗地震仪记录的深源和浅源月震约束了月壳和月幔的厚度。我们反演地震波走时，并研究日出时的热月震。",
            "月球背面宽频带地震台网",
            "三个宽频带地震台站将记录月震、流星体撞击和热事件，测量地震波穿过月壳、月幔和月核的走时。",
        ),
        "ru": (
            "лунотрясения, внутреннее строение",
            "Глубокие и мелкие лунотрясения, записанные сейсмометрами Аполлона, ограничивают толщину коры и мантии "
            "Луны. Мы обращаем времена пробега сейсмических волн и изучаем термические толчки на восходе.",
            "Сеть широкополосных сейсмометров на обратной стороне",
            "Три широкополосные сейсмические станции запишут лунотрясения, удары метеороидов и термические события "
            "и измерят времена пробега волн через кору, мантию и ядро Луны.",
        ),
    },
    "plasma": {
        "en": (
            "heliophysics, magnetosphere",
            "Solar wind protons and electrons interact with the lunar surface and its crustal magnetic anomalies. "
            "We model the plasma wake behind the Moon and the charging of dust during solar storms.",
            "Space weather monitor on the lunar surface",
            "An ion and electron spectrometer with a magnetometer will measure the solar wind plasma, energetic "
            "particles from solar storms and surface charging through the lunar day and night.",
        ),
        "zh": (
            "日球物理, 磁层",
            "太阳风质子和电子与月球表面及月壳磁异常相互作用。我们模拟月球背后的等离子体尾迹以及太阳风暴期间尘埃的充电。",
            "月面空间天气监测仪",
            "离子和电子能谱仪与磁强计将测量太阳风等离子体、太阳风暴高能粒子以及月昼月夜的表面充电。",
        ),
        "ru": (
            "гелиофизика, магнитосфера",
            "Протоны и электроны солнечного ветра взаимодействуют с поверхностью Луны и магнитными аномалиями коры. "
            "Мы моделируем плазменный след за Луной и зарядку пыли во время солнечных бурь.",
            "Монитор космической погоды на поверхности Луны",
            "Спектрометр ионов и электронов с магнитометром измерит плазму солнечного ветра, энергичные частицы "
            "солнечных бурь и зарядку поверхности лунным днём и ночью.",
        ),
    },
    "isru": {
        "en": (
            "resource utilisation, volatiles",
            "We extract water ice from polar cold traps by heating and capture the vapour; oxygen is produced from "
            "ilmenite by hydrogen reduction. Sintering of simulant makes bricks for construction.",
            "Oxygen and water extraction demonstrator",
            "A small reactor will heat polar soil to release water ice and reduce ilmenite with hydrogen to produce "
            "oxygen, measuring the yield and the energy spent per kilogram.",
        ),
        "zh": (
            "资源利用, 挥发物",
            "我们通过加热从极区冷阱中提取水冰并收集水蒸气，利用氢还原钛铁矿制取氧气。模拟月壤烧结可制造建筑砖块。",
            "制氧与取水技术验证装置",
            "小型反应器将加热极区月壤释放水冰，并用氢还原钛铁矿制取氧气，测量每千克的产量和能耗。",
        ),
        "ru": (
            "использование ресурсов, летучие вещества",
            "Мы извлекаем водяной лёд из полярных холодных ловушек нагревом и улавливаем пар; кислород получаем "
            "из ильменита восстановлением водородом. Спекание имитатора даёт кирпичи для строительства.",
            "Демонстратор добычи кислорода и воды",
            "Небольшой реактор нагреет полярный грунт, чтобы высвободить водяной лёд, и восстановит ильменит "
            "водородом для получения кислорода; измерим выход и затраты энергии на килограмм.",
        ),
    },
    "astronomy": {
        "en": (
            "radio astronomy, cosmology",
            "The far side is shielded from terrestrial radio interference, which opens the low frequency sky. "
            "We design antenna arrays to observe the cosmic dawn and dark ages hydrogen signal.",
            "Low frequency radio telescope on the far side",
            "An array of dipole antennas will observe the sky below thirty megahertz, free of terrestrial "
            "interference, to detect the hydrogen signal of the dark ages and map radio sources.",
        ),
        "zh": (
            "射电天文, 宇宙学",
            "月球背面屏蔽了来自地球的射电干扰，打开了低频天空的观测窗口。我们设计天线阵列观测宇宙黎明和黑暗时代的氢信号。",
            "月球背面低频射电望远镜",
            "偶极天线阵列将在没有地球干扰的环境下观测三十兆赫以下的天空，探测黑暗时代的氢信号并绘制射电源图。",
        ),
        "ru": (
            "радиоастрономия, космология",
            "Обратная сторона Луны защищена от земных радиопомех, что открывает низкочастотное небо. "
            "Мы проектируем антенные решётки для наблюдения водородного сигнала космического рассвета и тёмных веков.",
            "Низкочастотный радиотелескоп на обратной стороне",
            "Решётка дипольных антенн будет наблюдать небо ниже тридцати мегагерц без земных помех, чтобы "
            "обнаружить водородный сигнал тёмных веков и составить карту радиоисточников.",
        ),
    },
    "life": {
        "en": (
            "astrobiology, radiation biology",
            "We grow plants and yeast under reduced gravity and cosmic radiation, measuring DNA damage and growth. "
            "Closed ecosystems recycle air and water for long crewed stays.",
            "Plant growth chamber under lunar radiation",
            "A sealed chamber will grow seeds and microorganisms on the surface, recording germination, growth "
            "and DNA damage caused by cosmic radiation and low gravity.",
        ),
        "zh": (
            "天体生物学, 辐射生物学",
            "我们在低重力和宇宙辐射条件下培养植物和酵母，测量DNA损伤和生长情况。封闭生态系统为长期载人驻留循环空气和水。",
            "月面辐射环境下的植物生长舱",
            "密封生长舱将在月面培养种子和微生物，记录发芽、生长以及宇宙辐射和低重力造成的DNA损伤。",
        ),
        "ru": (
            "астробиология, радиобиология",
            "Мы выращиваем растения и дрожжи при пониженной гравитации и космическом излучении, измеряя "
            "повреждения ДНК и рост. Замкнутые экосистемы перерабатывают воздух и воду для долгих экспедиций.",
            "Камера для выращивания растений под лунным излучением",
            "Герметичная камера будет выращивать семена и микроорганизмы на поверхности, регистрируя прорастание, "
            "рост и повреждения ДНК от космического излучения и низкой гравитации.",
        ),
    },
    "robotics": {
        "en": (
            "autonomy, manipulators",
            "Our rovers navigate rough terrain autonomously with stereo cameras and path planning. A robotic arm "
            "with force control picks up rocks and deploys instruments.",
            "Autonomous rover with a robotic arm",
            "A small rover will plan its own path over rough terrain from stereo camera images and use a robotic "
            "arm to place instruments and collect rocks without commands from Earth.",
        ),
        "zh": (
            "自主性, 机械臂",
            "我们的巡视器利用立体相机和路径规划在崎岖地形上自主导航。具有力控制的机械臂可以拾取岩石并部署仪器。",
            "带机械臂的自主巡视器",
            "小型巡视器将根据立体相机图像在崎岖地形上自主规划路径，并使用机械臂放置仪器、采集岩石，无需地面指令。",
        ),
        "ru": (
            "автономность, манипуляторы",
            "Наши луноходы автономно передвигаются по пересечённой местности с помощью стереокамер и планирования "
            "пути. Роботизированная рука с силовым управлением поднимает камни и развёртывает приборы.",
            "Автономный луноход с роботизированной рукой",
            "Небольшой луноход будет сам планировать путь по пересечённой местности по снимкам стереокамер "
            "и с помощью роботизированной руки размещать приборы и собирать камни без команд с Земли.",
        ),
    },
    "communications": {
        "en": (
            "telecommunications, networking",
            "We design relay satellites and laser links for data transmission between the far side and ground "
            "stations, with delay tolerant networking and high bandwidth optical terminals.",
            "Optical relay link for surface stations",
            "A laser terminal and a relay satellite will carry high bandwidth data transmission from surface "
            "stations on the far side to ground stations, testing delay tolerant protocols.",
        ),
        "zh": (
            "电信, 组网",
            "我们设计中继卫星和激光链路，实现月球背面与地面站之间的数据传输，采用容迟网络和高带宽光通信终端。",
            "月面站光学中继链路",
            "激光终端和中继卫星将把月球背面月面站的高带宽数据传输到地面站，并测试容迟协议。",
        ),
        "ru": (
            "телекоммуникации, сетевые технологии",
            "Мы проектируем спутники-ретрансляторы и лазерные линии для передачи данных между обратной стороной "
            "и наземными станциями, с устойчивыми к задержкам сетями и широкополосными оптическими терминалами.",
            "Оптическая ретрансляционная линия для станций на поверхности",
            "Лазерный терминал и спутник-ретранслятор обеспечат широкополосную передачу данных от станций на "
            "обратной стороне к наземным станциям с проверкой протоколов, устойчивых к задержкам.",
        ),
    },
}

LANGUAGES = ["en", "zh", "ru"]
